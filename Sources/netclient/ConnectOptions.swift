// The flags every connecting command shares.

import ArgumentParser
import Sockets

/// `--timeout`, `-4`/`-6` and `--verbose`.
struct ConnectOptions: ParsableArguments {
    @Option(name: .long, help: "Give up on each step after this many seconds.")
    var timeout: Double = 10

    @Flag(name: .customShort("4"), help: "Use IPv4 addresses only.")
    var ipv4Only = false

    @Flag(name: .customShort("6"), help: "Use IPv6 addresses only.")
    var ipv6Only = false

    @Flag(name: .long, help: "Print each address tried and the local and peer addresses.")
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
    }

    /// The family filter the flags ask for.
    var family: AddressFamily { ipv4Only ? .ipv4 : ipv6Only ? .ipv6 : .unspecified }

    /// The timeout as a duration.
    var duration: Duration { .milliseconds(Int64((timeout * 1000).rounded(.up))) }

    /// Prints `line` to stderr when verbose.
    func note(_ line: @autoclosure () -> String) {
        if verbose { Output.standardError.writeLine("netclient: \(line())") }
    }

    /// Connects with the library's connect factory (port lookup, resolution, then Happy
    /// Eyeballs or one address after another), printing each address tried when verbose.
    /// A resolution error keeps its own exit code (port lookup or resolution).
    func connect(host: String, port: String, type: SocketType) throws -> Socket {
        let strategy: ConnectStrategy = noHappyEyeballs
            ? .sequential : .happyEyeballs(attemptDelay: .milliseconds(attemptDelay))
        let socket: Socket
        do throws(SocketError) {
            socket = try Socket.connected(
                toHost: host, port: port, type: type, family: family, timeout: duration,
                strategy: strategy
            ) { address in note("trying \(address)") }
        } catch {
            throw Failure(error, during: .connect)
        }
        if verbose, let local = try? socket.localAddress, let peer = try? socket.remoteAddress {
            note("connected from \(local) to \(peer)")
        }
        return socket
    }
}
