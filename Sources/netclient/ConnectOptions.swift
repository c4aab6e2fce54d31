// The flags every connecting command shares.

import ArgumentParser
import Sockets

/// `--timeout`, `--connect-timeout`, `-4`/`-6` and `-v`/`--verbose`.
struct ConnectOptions: ParsableArguments {
    @Option(name: .long, help: "Give up on each step after this many seconds.")
    var timeout: Double = 10

    @Option(name: .long, help: "Give up on connecting (all addresses together) after this many seconds (default: --timeout).")
    var connectTimeout: Double?

    @Flag(name: .customShort("4"), help: "Use IPv4 addresses only.")
    var ipv4Only = false

    @Flag(name: .customShort("6"), help: "Use IPv6 addresses only.")
    var ipv6Only = false

    @Flag(name: [.customShort("v"), .long], help: "Print each address tried and the local and peer addresses.")
    var verbose = false

    @Flag(name: .long, help: "Try addresses one after another instead of racing them (Happy Eyeballs).")
    var noHappyEyeballs = false

    @Option(name: .long, help: "Milliseconds between Happy Eyeballs connection attempts (at least 10).")
    var attemptDelay: Int = 250

    func validate() throws {
        guard !(ipv4Only && ipv6Only) else { throw ValidationError("-4 and -6 exclude each other") }
        guard attemptDelay >= 10, attemptDelay <= 60_000 else {
            throw ValidationError("--attempt-delay must be 10 to 60000 milliseconds")
        }
        guard timeout > 0, timeout.isFinite, timeout < 1e9 else {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
        if let connectTimeout {
            guard connectTimeout > 0, connectTimeout.isFinite, connectTimeout < 1e9 else {
                throw ValidationError("--connect-timeout must be a positive number of seconds")
            }
        }
    }

    /// The family filter the flags ask for.
    var family: AddressFamily { ipv4Only ? .ipv4 : ipv6Only ? .ipv6 : .unspecified }

    /// The timeout as a duration.
    var duration: Duration { Self.duration(timeout) }

    /// `seconds` as a duration, rounded up to the millisecond.
    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded(.up))) }

    /// Prints `line` to stderr when verbose.
    func note(_ line: @autoclosure () -> String) {
        if verbose { Output.standardError.writeLine("netclient: \(line())") }
    }

    /// Connects in the library's steps (port lookup, resolution, then Happy Eyeballs or one
    /// address after another under `--connect-timeout`), printing each address tried when
    /// verbose; the socket keeps `--timeout` for what follows. A resolution error keeps its
    /// own exit code (port lookup or resolution). `timings`, when given, records when
    /// resolution and the connect ended.
    func connect(host: String, port: String, type: SocketType, timings: inout Timings) throws -> Socket {
        let strategy: ConnectStrategy = noHappyEyeballs
            ? .sequential : .happyEyeballs(attemptDelay: .milliseconds(attemptDelay))
        let socket: Socket
        do throws(SocketError) {
            let number = try Service.port(port, protocol: type == .datagram ? .udp : .tcp)
            let candidates = try Resolver.resolve(host, port: number, family: family, type: type)
            timings.resolved = .now
            socket = try connected(to: candidates.map(\.address), type: type, strategy: strategy,
                                   target: "\(host) port \(number)")
            timings.connected = .now
        } catch {
            throw Failure(error, during: .connect)
        }
        if verbose, let local = try? socket.localAddress, let peer = try? socket.remoteAddress {
            note("connected from \(local) to \(peer)")
        }
        return socket
    }

    /// Connects to the first of `addresses` that accepts within `--connect-timeout`, then
    /// gives the socket `--timeout` for the steps that follow.
    private func connected(
        to addresses: [SocketAddress], type: SocketType, strategy: ConnectStrategy, target: String
    ) throws(SocketError) -> Socket {
        var socket = try Socket.connected(
            toAny: addresses, type: type, timeout: connectTimeout.map(Self.duration) ?? duration,
            strategy: strategy, target: target
        ) { address in note("trying \(address)") }
        if connectTimeout != nil { try socket.setTimeout(.after(duration)) }
        return socket
    }

    /// `connect(host:port:type:timings:)` without timings.
    func connect(host: String, port: String, type: SocketType) throws -> Socket {
        var timings = Timings()
        return try connect(host: host, port: port, type: type, timings: &timings)
    }
}

/// When each step of a request ended, from its start: curl's `time_namelookup`,
/// `time_connect`, `time_starttransfer` and `time_total`.
struct Timings {
    let start = ContinuousClock.now
    var resolved: ContinuousClock.Instant?
    var connected: ContinuousClock.Instant?
    var firstByte: ContinuousClock.Instant?
    var finished: ContinuousClock.Instant?

    /// The four lines curl's `-w` would print, in seconds since the start (each includes the
    /// steps before it, so they only grow).
    var report: String {
        let steps: [(String, ContinuousClock.Instant?)] = [
            ("time_namelookup", resolved), ("time_connect", connected),
            ("time_starttransfer", firstByte), ("time_total", finished),
        ]
        return steps.map { name, instant in
            "\(name): " + (instant.map { fixed(start.duration(to: $0).seconds, 6) } ?? "-")
        }.joined(separator: "\n")
    }

    /// `{"namelookup", "connect", "starttransfer", "total"}`, cumulative as curl's, and
    /// `{"steps": {"namelookup", "connect", "first_byte", "transfer"}}`, each step on its own,
    /// which add up to the total; `null` for a step not reached.
    var json: JSON {
        let marks = [resolved, connected, firstByte, finished]
        let cumulative = marks.map { $0.map { start.duration(to: $0).seconds } }
        var steps: [Double?] = []
        var previous: Double? = 0
        for mark in cumulative {
            steps.append(mark.flatMap { value in previous.map { value - $0 } })
            previous = mark
        }
        let names = ["namelookup", "connect", "starttransfer", "total"]
        let stepNames = ["namelookup", "connect", "first_byte", "transfer"]
        return .object(zip(names, cumulative).map { ($0, JSON.optional($1)) }
                       + [("steps", .object(zip(stepNames, steps).map { ($0, JSON.optional($1)) }))])
    }
}
