// What went wrong, as one clear line on stderr and an exit code per kind.

import ArgumentParser
import Sockets

/// The exit codes of `netclient`, one per kind of failure.
enum Exit: Int32, CaseIterable {
    case success = 0
    case other = 1
    case portLookup = 2
    case resolution = 3
    case connection = 4
    case timeout = 5
    case sending = 6
    case receiving = 7
    case hostLookup = 8
    case localIO = 9
    case badReply = 10
    case usage = 64

    /// What the code means, for `--help` and docs/netclient.md.
    var meaning: String {
        switch self {
        case .success: "success (an HTTP error status still counts: the reply was printed)"
        case .other: "any other failure"
        case .portLookup: "port or service name lookup failed"
        case .resolution: "address resolution failed"
        case .connection: "connection failed (refused, unreachable, reset)"
        case .timeout: "timed out (the message names the step)"
        case .sending: "sending failed"
        case .receiving: "receiving failed (bytes already received were written first)"
        case .hostLookup: "reverse host lookup failed"
        case .localIO: "writing the output failed"
        case .badReply: "the reply broke HTTP/1's framing (head, length or chunks; the message says where)"
        case .usage: "bad arguments"
        }
    }

    /// The table for `--help`.
    static var table: String {
        allCases.map { "  \($0.rawValue)\t\($0.meaning)" }.joined(separator: "\n")
    }
}

/// The step a failure happened in, which decides the exit code for system errors.
enum Step: String {
    case portLookup = "port lookup"
    case resolve = "resolving"
    case connect = "connecting"
    case send = "sending"
    case receive = "receiving"
    case reverseLookup = "reverse lookup"
}

/// A failure `netclient` reports and exits with.
struct Failure: Error {
    var exit: Exit
    var message: String

    /// A library error in `step`, classified by its kind.
    init(_ error: SocketError, during step: Step) {
        let kind = error.kind
        if kind == .timeout {
            exit = .timeout
            message = "timed out while \(step.rawValue): \(error)"
        } else if kind == .resolution(.service) || (kind.isResolution && step == .portLookup) {
            exit = .portLookup
            message = "port lookup failed: \(error)"
        } else if kind.isResolution {
            exit = .resolution
            message = "address resolution failed: \(error)"
        } else if kind.isHostLookup {
            exit = .hostLookup
            message = "host lookup failed: \(error)"
        } else {
            switch step {
            case .connect:
                exit = .connection
                message = "connection failed: \(error)"
            case .send:
                exit = .sending
                message = "sending failed: \(error)"
            case .receive:
                exit = .receiving
                message = "receiving failed: \(error)"
            default:
                exit = .other
                message = "\(step.rawValue) failed: \(error)"
            }
        }
    }

    init(_ exit: Exit, _ message: String) {
        self.exit = exit
        self.message = message
    }
}

/// Runs `body`; on a `Failure` prints its line to stderr and exits with its code.
func reportingFailures(_ body: () throws -> Void) throws {
    do { try body() } catch { throw reported(error) }
}

/// Runs `body`; on a `Failure` prints its line to stderr and exits with its code.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do { try await body() } catch { throw reported(error) }
}

/// `error` as the failure `netclient` reports, if it is one: a `Failure`, or a library error
/// outside any step (exit code 1).
func asFailure(_ error: any Error) -> Failure? {
    if let failure = error as? Failure { return failure }
    if let error = error as? SocketError { return Failure(.other, "\(error)") }
    return nil
}

/// Prints the line of a failure on stderr and returns the exit code to throw; any other error
/// (such as an `ExitCode`) comes back as it is.
func reported(_ error: any Error) -> any Error {
    guard let failure = asFailure(error) else { return error }
    Output.standardError.writeLine("netclient: \(failure.message)")
    return ExitCode(failure.exit.rawValue)
}
