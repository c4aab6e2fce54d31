import Foundation
import Sockets
import SocketsTesting
import Testing

/// Bytes with a seeded pattern, as Data.
func patternData(_ count: Int, seed: UInt8 = 3) -> Data {
    Data(TestPattern.bytes(count: count, seed: seed))
}

/// A temporary output path.
func outputPath() -> String { NSTemporaryDirectory() + "netclient-get-\(UUID().uuidString)" }

@Suite struct GetTests {
    @Test func fetchesSmallAndEmptyFilesByteForByte() throws {
        let files = try ServedFiles()
        let small = patternData(10_000)
        try files.add("small.bin", small)
        try files.add("empty.bin", Data())
        let server = try PythonHTTPServer(directory: files.path)
        for (name, expected) in [("small.bin", small), ("empty.bin", Data())] {
            let output = outputPath()
            defer { try? FileManager.default.removeItem(atPath: output) }
            let result = try netclient(["get", "127.0.0.1", "\(server.port)", "/\(name)", "--body", "--output", output])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == expected)
        }
    }

    @Test func streamsALargeFileWithFlatMemory() throws {
        let files = try ServedFiles()
        let large = patternData(64 << 20)
        try files.add("large.bin", large)
        try files.add("tiny.bin", patternData(100))
        let server = try PythonHTTPServer(directory: files.path)
        let output = outputPath()
        defer { try? FileManager.default.removeItem(atPath: output) }
        let tiny = try netclient(["get", "127.0.0.1", "\(server.port)", "/tiny.bin", "--body", "--output", output])
        let result = try netclient(["get", "127.0.0.1", "\(server.port)", "/large.bin", "--body", "--output", output])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == large)
        // Streaming 64 MiB must not hold it in memory: the peak grows by far less than the file.
        #expect(result.peakMemoryKiB - tiny.peakMemoryKiB < 16 * 1024,
                "peak \(result.peakMemoryKiB) KiB vs \(tiny.peakMemoryKiB) KiB for a tiny file")
    }

    @Test func printsTheWholeReplyToStdoutAndA404Faithfully() throws {
        let files = try ServedFiles()
        try files.add("hello.txt", Data("hello\n".utf8))
        let server = try PythonHTTPServer(directory: files.path)
        let found = try netclient(["get", "127.0.0.1", "\(server.port)", "/hello.txt"])
        let text = String(decoding: found.standardOutput, as: UTF8.self)
        #expect(found.status == 0)
        #expect(text.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(text.hasSuffix("\r\n\r\nhello\n"))
        let body = try netclient(["get", "127.0.0.1", "\(server.port)", "/hello.txt", "--body"])
        #expect(body.standardOutput == Data("hello\n".utf8))
        let missing = try netclient(["get", "127.0.0.1", "\(server.port)", "/nothing-here"])
        let reply = String(decoding: missing.standardOutput, as: UTF8.self)
        #expect(missing.status == 0)
        #expect(reply.hasPrefix("HTTP/1.0 404"))
        #expect(reply.contains("File not found"))
    }

    @Test func acceptsAServiceNameForThePort() throws {
        let files = try ServedFiles()
        try files.add("x.txt", Data("x".utf8))
        // Serve on a port that has a tcp service name and is free here.
        var started: (PythonHTTPServer, String)?
        for name in ["http-alt", "tproxy", "omniorb", "webmin", "xmpp-server"] {
            guard let port = try? Service.port(name), port >= 1024,
                  let server = try? PythonHTTPServer(directory: files.path, port: port) else { continue }
            started = (server, name)
            break
        }
        let (server, name) = try #require(started)
        let result = try netclient(["get", "127.0.0.1", name, "/x.txt", "--body"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == Data("x".utf8))
        _ = server
    }

    @Test func fetchesOverIPv6AndPrintsAddressesWhenVerbose() throws {
        let files = try ServedFiles()
        try files.add("six.txt", Data("six".utf8))
        let server = try PythonHTTPServer(directory: files.path, bind: "::1")
        let result = try netclient(["get", "::1", "\(server.port)", "/six.txt", "--body", "-6", "--verbose"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == Data("six".utf8))
        #expect(result.standardError.contains("trying [::1]:\(server.port)"))
        #expect(result.standardError.contains("to [::1]:\(server.port)"))
        let v4only = try netclient(["get", "::1", "\(server.port)", "/six.txt", "-4"])
        #expect(v4only.status == 3)
    }
}

@Suite struct GetFailureTests {
    @Test func closedPortIsAConnectionFailure() throws {
        let probe = try Socket(.ipv4, .stream)
        try probe.bind(to: .ipv4(.loopback, port: 0))
        let port = try probe.localAddress.port!  // Bound, not listening: refused, and no one else's.
        let result = try netclient(["get", "127.0.0.1", "\(port)", "/"])
        try probe.close()
        #expect(result.status == 4)
        #expect(result.standardError.contains("connection failed"))
        #expect(result.standardError.contains("Connection refused"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    @Test(arguments: [("nosuchservice", "unknown service name"), ("80x", "unknown service name"),
                      ("65536", "out of range"), ("", "empty port")])
    func badPortsAreLookupFailures(_ port: String, _ message: String) throws {
        let result = try netclient(["get", "127.0.0.1", port, "/"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("port lookup failed"))
        #expect(result.standardError.contains(message))
    }

    @Test func unresolvableHostIsAResolutionFailure() throws {
        let result = try netclient(["get", "nosuchhost.invalid", "80", "/"])
        #expect(result.status == 3)
        #expect(result.standardError.contains("address resolution failed"))
    }

    @Test func silentServerTimesOut() throws {
        let server = try TestServer.silent(lifetime: .seconds(20))
        let result = try netclient(["get", "127.0.0.1", "\(server.address.port!)", "/", "--timeout", "0.5"])
        #expect(result.status == 5)
        #expect(result.standardError.contains("timed out while receiving"))
    }

    @Test func fullBacklogTimesOutConnecting() throws {
        let backlog = try FullBacklogListener()
        let result = try netclient(["get", "127.0.0.1", "\(backlog.address.port!)", "/", "--timeout", "0.3"])
        #expect(result.status == 5)
        #expect(result.standardError.contains("timed out while connecting"))
    }

    @Test func timingsAreOrderedAndEndAtTheTotal() throws {
        let files = try ServedFiles()
        try files.add("t.bin", Data(TestPattern.bytes(count: 1 << 20)))
        let server = try PythonHTTPServer(directory: files.path)
        let result = try netclient(["get", "127.0.0.1", "\(server.port)", "/t.bin", "--body", "--timings", "-v",
                                    "--output", "/dev/null"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardError.split(separator: "\n").filter { $0.hasPrefix("time_") }
        #expect(lines.map { $0.split(separator: ":")[0] } == ["time_namelookup", "time_connect", "time_starttransfer", "time_total"])
        let values = lines.compactMap { Double($0.split(separator: " ").last ?? "") }
        #expect(values.count == 4 && values == values.sorted() && values[0] >= 0, "\(lines)")
        #expect(result.standardError.contains("netclient: trying 127.0.0.1"))
    }

    @Test func connectTimeoutIsSeparateFromTheTimeout() throws {
        let backlog = try FullBacklogListener()
        let result = try netclient(["get", "127.0.0.1", "\(backlog.address.port!)", "/", "--connect-timeout", "0.3",
                                    "--timeout", "30"], timeout: 20)
        #expect(result.status == 5)
        #expect(result.standardError.contains("timed out while connecting"), "\(result.standardError)")
        // The receive keeps --timeout: a silent server is given up on only after it.
        let silent = try TestServer.silent(lifetime: .seconds(20))
        let quiet = try netclient(["get", "127.0.0.1", "\(silent.address.port!)", "/", "--connect-timeout", "5",
                                   "--timeout", "0.5"])
        #expect(quiet.status == 5 && quiet.standardError.contains("timed out while receiving"))
        for bad in ["0", "-1", "junk", "inf"] {
            #expect(try netclient(["get", "127.0.0.1", "80", "/", "--connect-timeout", bad]).status == 64)
        }
    }

    @Test func resetMidStreamKeepsTheBytesBeforeIt() throws {
        let server = try TestServer.reset(after: 50_000)
        let output = outputPath()
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try netclient(["get", "127.0.0.1", "\(server.address.port!)", "/", "--output", output])
        #expect(result.status == 7, "\(result.standardError)")
        #expect(result.standardError.contains("receiving failed"))
        #expect(result.standardError.contains("reset"))
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(data == Data(TestPattern.bytes(count: 50_000)))
    }

    // (A NUL cannot reach the CLI: argv strings end at the first NUL.)
    @Test(arguments: ["/a\r\nHost: evil", "/a\nb", "/a b", "/a\rb"])
    func pathsThatCouldInjectAreRefusedBeforeSending(_ path: String) throws {
        let server = try TestServer.sink(lifetime: .seconds(3))
        let result = try netclient(["get", "127.0.0.1", "\(server.address.port!)", path])
        #expect(result.status == 64)
        #expect(result.standardError.contains("refusing path"))
        try server.wait()
        #expect(server.connectionsAccepted == 0)
    }
}

@Suite struct BodyBoundaryTests {
    /// A server that answers any request with `reply`, one byte per write, then closes.
    final class ByteByByteServer: @unchecked Sendable {
        let port: UInt16
        private let done = DispatchSemaphore(value: 0)

        init(reply: String) throws {
            var listener = try Socket.listening(on: .ipv4(.loopback, port: 0), backlog: 1)
            try listener.setTimeout(.seconds(20))
            port = try listener.localAddress.port!
            let descriptor = listener.releaseDescriptor()
            let done = self.done
            Thread.detachNewThread {
                defer { done.signal() }
                guard var listener = try? Socket(adopting: descriptor),
                      (try? listener.setTimeout(.seconds(20))) != nil,
                      var connection = try? listener.accept(),
                      (try? connection.setTimeout(.seconds(10))) != nil,
                      (try? connection.receive(maxCount: 65536)) != nil else { return }
                for byte in reply.utf8 {
                    guard (try? connection.sendAll([byte])) != nil else { return }
                    usleep(500)
                }
            }
        }

        func wait() { done.wait() }
    }

    @Test func headersSplitAcrossManyReadsAreStrippedExactly() throws {
        let server = try ByteByByteServer(reply: "HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\nbody\r\n\r\nmore")
        let result = try netclient(["get", "127.0.0.1", "\(server.port)", "/", "--body"])
        server.wait()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(String(decoding: result.standardOutput, as: UTF8.self) == "body\r\n\r\nmore")
    }
}
