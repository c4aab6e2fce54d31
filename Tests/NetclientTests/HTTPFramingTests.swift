// netclient load's reply framing (HTTPReplyHead, HTTPBodyFramer; their source files are linked
// into this target): every framing case against the same bytes parsed naively, cut at every
// byte; pipelined replies in one stream, split anywhere; and over real sockets, chunked and
// pipelined replies counted as the server counts them, a broken one its own error class.

import Foundation
import Sockets
import SocketsTesting
import Testing

/// Feeds `bytes` to a framer in the pieces `cuts` (offsets) makes; the outcome as the naive
/// decoder states it.
private func frame(_ bytes: [UInt8], _ framing: HTTPBodyFramer.Framing, cuts: [Int]) -> (NaiveChunkedResult, payload: Int) {
    var framer = HTTPBodyFramer(framing)
    let bounds = [0] + cuts + [bytes.count]
    return bytes.withUnsafeBytes { whole in
        for (start, end) in zip(bounds, bounds.dropFirst()) where start <= end {
            switch framer.consume(UnsafeRawBufferPointer(rebasing: whole[start..<end])) {
            case .needMore: continue
            case .done(let consumed): return (.complete(end: start + consumed, payload: framer.payload), framer.payload)
            case .malformed: return (.invalid, framer.payload)
            }
        }
        return (.incomplete, framer.payload)
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite struct HTTPFramingTests {
    static let chunkedCases: [(String, NaiveChunkedResult)] = [
        ("4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n", .complete(end: 24, payload: 9)),
        ("4;name=value\r\nWiki\r\n0;last\r\n\r\n", .complete(end: 30, payload: 4)),
        ("A \t;ext\r\n0123456789\r\n0\r\nExpires: never\r\nX-Check: 1\r\n\r\nNEXT", .complete(end: 54, payload: 10)),
        ("0\r\n\r\n", .complete(end: 5, payload: 0)),
        ("fFfF\r\n", .incomplete),
        ("4\r\nWik", .incomplete),
        ("4\r\nWiki\r\n0\r\nTrailer: x\r\n", .incomplete),
        ("x\r\n", .invalid),
        ("4\r\nWikipedia\r\n", .invalid),  // Data longer than its size.
        ("4\rX", .invalid),
        ("4 4\r\n", .invalid),
        ("4;a\nb\r\n", .invalid),
        ("1234567890abcdef0\r\n", .invalid),  // More than 15 hex digits.
        ("0\r\n\nTrailer\r\n\r\n", .invalid),
        ("-1\r\n", .invalid),
    ]

    @Test func everyChunkedCaseAgreesWithTheNaiveDecoderCutAtEveryByte() {
        for (text, expected) in Self.chunkedCases {
            let input = bytes(text)
            #expect(naiveChunkedDecode(input) == expected, "naive: \(String(reflecting: text))")
            #expect(frame(input, .chunked, cuts: []).0 == expected, "whole: \(String(reflecting: text))")
            #expect(frame(input, .chunked, cuts: Array(1..<max(input.count, 1))).0 == expected, "byte by byte: \(String(reflecting: text))")
            for cut in 0...input.count {
                let outcome = frame(input, .chunked, cuts: [cut]).0
                #expect(outcome == expected, "cut at \(cut): \(String(reflecting: text)): \(outcome)")
            }
        }
    }

    @Test func randomChunkedBodiesAgreeWithTheNaiveDecoder() {
        var generator = SeededGenerator(seed: 21)
        for _ in 0..<2_000 {
            // A valid body (chunks with extensions and trailers), then maybe one byte changed.
            var text = ""
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                let size = Int.random(in: 1...40, using: &generator)
                text += String(size, radix: 16, uppercase: Bool.random(using: &generator))
                text += Bool.random(using: &generator) ? ";x=\(size)" : ""
                text += "\r\n" + String(repeating: "d", count: size) + "\r\n"
            }
            text += "0\r\n" + (Bool.random(using: &generator) ? "T: v\r\n" : "") + "\r\n"
            var input = bytes(text)
            if Bool.random(using: &generator) {
                input[Int.random(in: 0..<input.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { input.removeLast(Int.random(in: 0...input.count, using: &generator)) }
            let expected = naiveChunkedDecode(input)
            let cuts = (0..<3).map { _ in Int.random(in: 0...input.count, using: &generator) }.sorted()
            #expect(frame(input, .chunked, cuts: cuts).0 == expected, "\(input) cut at \(cuts)")
        }
    }

    @Test func lengthAndCloseDelimitedBodies() {
        #expect(frame(bytes("hello, next"), .length(5), cuts: [2]).0 == .complete(end: 5, payload: 5))
        #expect(frame(bytes(""), .length(0), cuts: []).0 == .complete(end: 0, payload: 0))
        #expect(frame(bytes("hel"), .length(5), cuts: [1]).0 == .incomplete)
        #expect(frame(bytes("anything at all"), .untilClose, cuts: [4, 9]) == (.incomplete, 15))
    }

    @Test func theHeadSaysHowTheBodyIsFramed() {
        func head(_ text: String) -> HTTPReplyHead? { bytes(text).withUnsafeBytes { HTTPReplyHead(parsing: $0) } }
        #expect(head("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")?.framing == .length(3))
        #expect(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")?.framing == .chunked)
        #expect(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 3\r\n\r\n")?.framing == .chunked)
        #expect(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")?.framing == .untilClose)
        #expect(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")?.keepsConnection == true)
        #expect(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")?.keepsConnection == false)
        #expect(head("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n")?.framing == .length(0))
        #expect(head("HTTP/1.0 200 OK\r\n\r\n")?.framing == .untilClose)
        #expect(head("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n")?.keepsConnection == false)
        #expect(head("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n")?.keepsConnection == true)
    }

    /// Replies one after another in one stream, as a pipelining client reads them: heads and
    /// bodies of every framing, split in two at every byte.
    @Test func pipelinedRepliesSplitAtEveryByte() {
        let replies: [(text: String, status: Int, payload: Int)] = [
            ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, 5),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n", 200, 5),
            ("HTTP/1.1 204 No Content\r\n\r\n", 204, 0),
            ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404, 0),
            ("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n", 200, 0),
        ]
        let stream = bytes(replies.map(\.text).joined())
        for cut in 0...stream.count {
            var parsed: [(Int, Int)] = []
            var pending: [UInt8] = []
            var framer: HTTPBodyFramer?
            var status = 0
            for piece in [Array(stream[..<cut]), Array(stream[cut...])] {
                pending += piece
                while true {
                    if framer == nil {
                        guard let end = pending.withUnsafeBytes({ HTTPReplyHead.end(in: $0) }),
                              let head = pending.withUnsafeBytes({ HTTPReplyHead(parsing: UnsafeRawBufferPointer(rebasing: $0[..<end])) })
                        else { break }
                        status = head.status
                        framer = HTTPBodyFramer(head.framing)
                        pending.removeFirst(end)
                    }
                    let outcome = pending.withUnsafeBytes { framer!.consume($0) }
                    guard case .done(let consumed) = outcome else {
                        if outcome == .needMore { pending.removeAll() }
                        break
                    }
                    parsed.append((status, framer!.payload))
                    pending.removeFirst(consumed)
                    framer = nil
                }
            }
            #expect(parsed.map(\.0) == replies.map(\.status) && parsed.map(\.1) == replies.map(\.payload),
                    "cut at \(cut): \(parsed)")
        }
    }
}

@Suite(.serialized) struct LoadFramingTests {
    @Test func chunkedRepliesPipelinedAreCountedAsTheServerCountsThem() throws {
        let reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
        let server = try StallingHTTPServer.start(freezingFor: .zero, every: .seconds(1), reply: reply, lifetime: .seconds(60))
        let result = try netclient(["load", "127.0.0.1", "\(server.address.port!)", "/", "-c", "3", "-n", "300",
                                    "--keep-alive", "--pipeline", "8", "--json"], timeout: 60)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try document(result)
        #expect(integer(report, "requests", "completed") == 300)
        #expect(integer(report, "requests", "failed") == 0)
        #expect(server.requestsAnswered == 300)
        #expect(integer(report, "connections") == 3)
        #expect(integer(report, "bytes") == 300 * reply.utf8.count)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello world\r\n0\r\n\r\n", "chunk data longer than its size"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "does not start with a hex digit"),
        ("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", "not an HTTP/1 status line"),
    ])
    func aReplyThatBreaksTheFramingIsABadReply(reply: String, reason: String) throws {
        let server = try StallingHTTPServer.start(freezingFor: .zero, every: .seconds(1), reply: reply, lifetime: .seconds(60))
        let result = try netclient(["load", "127.0.0.1", "\(server.address.port!)", "/", "-c", "1", "-n", "3",
                                    "--keep-alive", "--json"], timeout: 60)
        #expect(result.status == 10, "\(result.standardError)")
        #expect(result.standardError.contains("bad reply") && result.standardError.contains(reason), "\(result.standardError)")
        let report = try document(result)
        #expect(integer(report, "error_counts", "bad_reply") == 3)
    }

    @Test func methodHeadersAndABodyGoOutAsGiven() throws {
        let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("netclient-\(getpid())-body").path
        try Data("name=value".utf8).write(to: URL(fileURLWithPath: bodyFile))
        defer { unlink(bodyFile) }
        let server = try CapturingServer()
        let result = try netclient(["load", "127.0.0.1", "\(server.port)", "/form", "-n", "1", "-m", "POST",
                                    "-H", "X-Test: one", "-H", "Accept: text/plain", "--body", bodyFile, "--http1.1"], timeout: 60)
        #expect(result.status == 0, "\(result.standardError)")
        let request = String(decoding: try server.request(), as: UTF8.self)
        #expect(request.hasPrefix("POST /form HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"), "\(request)")
        for line in ["X-Test: one\r\n", "Accept: text/plain\r\n", "Content-Length: 10\r\n", "Connection: close\r\n"] {
            #expect(request.contains(line), "missing \(line) in \(request)")
        }
        #expect(!request.contains("Accept: */*"))
        #expect(request.hasSuffix("\r\n\r\nname=value"), "\(request)")
    }
}

/// A one-connection loopback server that keeps the request it got (the head and a 10-byte
/// body) and answers 200 with no body; it gives up after 30 s.
private final class CapturingServer: @unchecked Sendable {
    let port: UInt16
    private let done = DispatchSemaphore(value: 0)
    private var captured: Result<[UInt8], any Error> = .success([])

    init() throws {
        let listener = try Socket.listening(on: .ipv4(.loopback, port: 0))
        port = try listener.localAddress.port ?? 0
        let descriptor = listener.releaseDescriptor()
        Thread.detachNewThread { [self] in
            captured = Result {
                var listener = try Socket(adopting: descriptor)
                try listener.setTimeout(.after(.seconds(30)))
                var connection = try listener.accept()
                try connection.setTimeout(.after(.seconds(30)))
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                func complete() -> Bool {
                    guard bytes.count >= 4 else { return false }
                    guard let end = (3..<bytes.count).first(where: { bytes[($0 - 3)...$0].elementsEqual([13, 10, 13, 10]) }) else { return false }
                    return bytes.count >= end + 1 + 10
                }
                while !complete() {
                    let count = try buffer.withUnsafeMutableBytes { (raw) throws(SocketError) in try connection.receive(into: raw) }
                    guard count > 0 else { break }
                    bytes += buffer[..<count]
                }
                try connection.sendAll(Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                return bytes
            }
            done.signal()
        }
    }

    /// The request, once the server is done (at most 30 s).
    func request() throws -> [UInt8] {
        _ = done.wait(timeout: .now() + 35)
        return try captured.get()
    }
}
