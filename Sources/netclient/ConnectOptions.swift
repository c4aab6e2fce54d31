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

    /// Resolves the port, then the host, then connects, printing each step when verbose.
    func connect(host: String, port text: String, type: SocketType) throws -> Socket {
        let port: UInt16
        do throws(SocketError) {
            port = try Service.port(text, protocol: type == .datagram ? .udp : .tcp)
        } catch {
            throw Failure(error, during: .portLookup)
        }
        let addresses: [SocketAddress]
        do throws(SocketError) {
            addresses = try Resolver.resolve(host, port: port, family: family, type: type).map(\.address)
        } catch {
            throw Failure(error, during: .resolve)
        }
        note("\(host) resolves to \(addresses.map(\.description).joined(separator: ", "))")
        let socket: Socket
        do throws(SocketError) {
            let strategy: ConnectStrategy = noHappyEyeballs
                ? .sequential : .happyEyeballs(attemptDelay: .milliseconds(attemptDelay))
            socket = try Socket.connect(toAny: addresses, type: type, timeout: duration,
                                        strategy: strategy, target: "\(host) port \(port)") { address in
                note("trying \(address)")
            }
        } catch {
            throw Failure(error, during: .connect)
        }
        if verbose, let local = try? socket.localAddress, let peer = try? socket.remoteAddress {
            note("connected from \(local) to \(peer)")
        }
        return socket
    }
}
