// `netclient udp HOST PORT MESSAGE`: one datagram out, the reply back, optionally repeated.

import ArgumentParser
import Sockets

struct UDP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp",
        abstract: "Send MESSAGE as one UDP datagram and print the reply.",
        discussion: """
        PORT is a number or a udp service name. With --count, repeats and prints each round \
        trip time. With --size, each datagram is exactly that many bytes: MESSAGE repeated to \
        fill it, or cut.

        Exit codes:
        \(Exit.table)
        """)

    @Argument(help: "The host name or address.")
    var host: String

    @Argument(help: "The port: a number or a udp service name.")
    var port: String

    @Argument(help: "The message to send.")
    var message: String

    @Option(name: .long, help: "How many probes to send.")
    var count: Int = 1

    @Option(name: .long, help: "Seconds between probes.")
    var interval: Double = 1

    @Option(name: .long, help: "The datagram size in bytes, 1 to 65507 (default: MESSAGE's length).")
    var size: Int?

    @Flag(name: .long, help: "Print one JSON document (schema netclient/1) on stdout: each probe's bytes, round trip and reply.")
    var json = false

    @OptionGroup var options: ConnectOptions

    func validate() throws {
        guard count >= 1, count <= 1_000_000 else { throw ValidationError("--count must be 1 to 1000000") }
        guard interval >= 0, interval <= 3600 else { throw ValidationError("--interval must be 0 to 3600") }
        guard message.utf8.count <= 65507 else { throw ValidationError("the message exceeds one datagram") }
        if let size {
            guard size >= 1, size <= 65507 else { throw ValidationError("--size must be 1 to 65507 bytes") }
            guard !message.isEmpty else { throw ValidationError("--size needs a non-empty MESSAGE to repeat") }
        }
    }

    /// The datagram: MESSAGE, or with --size MESSAGE repeated or cut to that many bytes.
    var datagram: [UInt8] {
        let bytes = Array(message.utf8)
        guard let size else { return bytes }
        return (0..<size).map { bytes[$0 % bytes.count] }
    }

    func run() throws {
        let report = JSONReport(enabled: json, command: "udp")
        try report.run {
            let socket = try options.connect(host: host, port: port, type: .datagram)
            let peer = (try? socket.remoteAddress.description) ?? host
            var buffer = ReceiveBuffer(capacity: 65536)
            let datagram = self.datagram
            var probes: [JSON] = []
            for probe in 1...count {
                let start = ContinuousClock.now
                do throws(SocketError) { try socket.sendAll(datagram) } catch {
                    throw Failure(error, during: .send)
                }
                buffer.removeAll()
                do throws(SocketError) { _ = try socket.receive(into: &buffer) } catch {
                    throw Failure(error, during: .receive)
                }
                let elapsed = start.duration(to: .now)
                let reply = buffer.withBytes { span in span.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
                if json {
                    probes.append(.object([("probe", .int(probe)), ("bytes", .int(buffer.count)),
                                           ("rtt_seconds", .double(elapsed.seconds)),
                                           ("reply", size == nil ? .string(reply) : .null)]))
                } else if size != nil {
                    try Output.standardOutput.write(
                        "\(buffer.count) bytes from \(peer): probe=\(probe) time=\(fixed(elapsed.seconds * 1000, 3)) ms\n")
                } else if count == 1 {
                    try Output.standardOutput.write(reply + "\n")
                } else {
                    try Output.standardOutput.write(
                        "\(buffer.count) bytes from \(peer): probe=\(probe) time=\(fixed(elapsed.seconds * 1000, 3)) ms: \(reply)\n")
                }
                if probe < count { sleepThread(.milliseconds(Int64(interval * 1000))) }
            }
            if json {
                try report.print([
                    ("target", .object([("host", .string(host)), ("port", .optional((try? socket.remoteAddress)?.port.map(Int.init)))])),
                    ("remote_address", .string(peer)), ("size", .int(datagram.count)), ("probes", .array(probes)),
                ])
            }
        }
    }
}
