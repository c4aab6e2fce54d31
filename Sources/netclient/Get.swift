// `netclient get HOST PORT PATH`: fetch a path over HTTP/1.0 and stream the reply.

import ArgumentParser
import Sockets

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch PATH from HOST over HTTP/1.0 and stream the whole reply.",
        discussion: """
        PORT is a number (0-65535) or a tcp service name such as http. The reply goes to stdout \
        (or --output) as it arrives, through the zero-copy recv loop, until the server closes.

        Exit codes:
        \(Exit.table)
        """)

    @Argument(help: "The host name or address.")
    var host: String

    @Argument(help: "The port: a number or a service name (http, ...).")
    var port: String

    @Argument(help: "The path to request, such as /index.html.")
    var path: String

    @Option(name: .shortAndLong, help: "Write the reply to this file instead of stdout.")
    var output: String?

    @Flag(name: .long, help: "Print only the body, without the status line and headers.")
    var body = false

    @Flag(name: .long, help: "Print curl's timings on stderr at the end: name lookup, connect, first byte, total.")
    var timings = false

    @OptionGroup var options: ConnectOptions

    func run() throws {
        try reportingFailures {
            let sink = try output.map(Output.file) ?? .standardOutput
            defer { sink.close() }
            // Refuse a bad path before anything touches the network.
            _ = try HTTPRequest(path: path, host: host, port: 80)
            var clock = Timings()
            let socket = try options.connect(host: host, port: port, type: .stream, timings: &clock)
            let request = try HTTPRequest(path: path, host: host, port: (try? socket.remoteAddress.port) ?? 80)
            do throws(SocketError) {
                try socket.sendAll(request.text.utf8)
            } catch {
                throw Failure(error, during: .send)
            }
            try stream(from: socket, to: sink, clock: &clock)
            clock.finished = .now
            if timings { Output.standardError.writeLine(clock.report) }
        }
    }

    /// Streams the reply through the recv loop, writing each chunk before reading the next.
    private func stream(from socket: borrowing Socket, to sink: Output, clock: inout Timings) throws {
        var buffer = ReceiveBuffer(capacity: 64 * 1024)
        var headers = HeaderSkipper()
        var progress = Progress(enabled: output != nil || !Output.standardOutput.isTerminal)
        var total = 0
        do throws(ReceiveLoopError<any Error>) {
            _ = try socket.receiveAll(using: &buffer) { chunk in
                if clock.firstByte == nil { clock.firstByte = .now }
                try chunk.withUnsafeBytes { bytes in
                    var start = 0
                    if body {
                        guard let bodyStart = headers.bodyStart(in: bytes) else { return }
                        start = bodyStart
                    }
                    try sink.write(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                }
                total += chunk.byteCount
                progress.update(total)
            }
        } catch .socket(let error) {
            progress.finish(total)
            throw Failure(error, during: .receive)
        } catch .body(let error) {
            throw error
        }
        progress.finish(total)
        options.note("received \(total) bytes")
    }
}
