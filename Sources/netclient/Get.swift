// `netclient get HOST PORT PATH`: fetch a path over HTTP/1.0 and stream the reply.

import ArgumentParser
import Sockets

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch PATH from HOST over HTTP/1.0 and stream the whole reply.",
        discussion: """
        PORT is a number (0-65535) or a tcp service name such as http. The reply goes to stdout \
        (or --output) as it arrives, through the zero-copy recv loop, until the server closes. \
        With --json, stdout gets one JSON document (status, bytes, addresses, timings) and the \
        reply goes only to --output.

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

    @Flag(name: .long, help: "Print one JSON document (schema netclient/1) on stdout; the reply goes only to --output.")
    var json = false

    @OptionGroup var options: ConnectOptions

    func run() throws {
        let report = JSONReport(enabled: json, command: "get")
        try report.run {
            let sink = try output.map(Output.file) ?? (json ? nil : .standardOutput)
            defer { sink?.close() }
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
            let reply = try stream(from: socket, to: sink, clock: &clock)
            clock.finished = .now
            if timings { Output.standardError.writeLine(clock.report) }
            if json {
                let remote = try? socket.remoteAddress
                try report.print([
                    ("target", .object([("host", .string(host)), ("port", .optional(remote?.port.map(Int.init))),
                                        ("path", .string(path))])),
                    ("remote_address", .optional(remote?.description)),
                    ("local_address", .optional(try? socket.localAddress.description)),
                    ("status", .optional(reply.status)),
                    ("bytes", .int(reply.bytes)),
                    ("body_bytes", .int(reply.bodyBytes)),
                    ("timings_seconds", clock.json),
                ])
            }
        }
    }

    /// What a reply brought: its status (when the head parsed), its bytes and its body's bytes.
    struct ReplySize {
        var status: Int?
        var bytes: Int
        var bodyBytes: Int
    }

    /// Streams the reply through the recv loop, writing each chunk (to `sink`, if any) before
    /// reading the next; keeps the head (up to 64 KiB) to read the status from.
    private func stream(from socket: borrowing Socket, to sink: Output?, clock: inout Timings) throws -> ReplySize {
        var buffer = ReceiveBuffer(capacity: 64 * 1024)
        var headers = HeaderSkipper()
        var head: [UInt8] = []
        var headBytes = 0
        var progress = Progress(enabled: !json && (output != nil || !Output.standardOutput.isTerminal))
        var total = 0
        do throws(ReceiveLoopError<any Error>) {
            _ = try socket.receiveAll(using: &buffer) { chunk in
                if clock.firstByte == nil { clock.firstByte = .now }
                try chunk.withUnsafeBytes { bytes in
                    let wasInHead = !headers.done
                    let bodyStart = headers.bodyStart(in: bytes)
                    if wasInHead {
                        let end = bodyStart ?? bytes.count
                        headBytes += end
                        if head.count < HTTPReplyHead.maximumSize { head += bytes[..<min(end, HTTPReplyHead.maximumSize - head.count)] }
                    }
                    var start = 0
                    if body {
                        guard let bodyStart else { return }
                        start = bodyStart
                    }
                    try sink?.write(UnsafeRawBufferPointer(rebasing: bytes[start...]))
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
        let status = head.withUnsafeBytes { HTTPReplyHead(parsing: $0)?.status }
        return ReplySize(status: status, bytes: total, bodyBytes: headers.done ? total - headBytes : 0)
    }
}
