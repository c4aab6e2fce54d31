// Generated bad arguments for the CLI: every one ends in a clear one-line error and a known exit
// code, never a crash (a signal) or a hang. Loopback only: the host is always 127.0.0.1.

import Foundation
import Sockets
import SocketsTesting
import Testing

extension SeededGenerator {
    /// One of `items`.
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// Up to `count` of `pieces`, joined.
    mutating func text(_ pieces: [String], upTo count: Int) -> String {
        (0..<Int(next() % UInt64(count + 1))).map { _ in pick(pieces) }.joined()
    }
}

@Suite struct BadArgumentTests {
    @Test func generatedPortsAndPathsGetClearErrors() throws {
        let probe = try Socket(.ipv4, .stream)
        try probe.bind(to: .ipv4(.loopback, port: 0))
        let closedPort = try probe.localAddress.port!  // Bound, not listening (closed at the end): refused, and no one else's.
        var random = SeededGenerator(seed: 20_261_124)
        let portPieces = ["\(closedPort)", "0", "-", "65536", "x", "http", " ", "é", "99999999999", ""]
        let pathPieces = ["/", "a", "%20", " ", "\r", "\n", "\t", "?q=1", "#", "é", "..", String(repeating: "z", count: 100)]
        for _ in 0..<120 {
            let port = random.text(portPieces, upTo: 3)
            let path = random.text(pathPieces, upTo: 6)
            // "--" ends the options, so that a port such as "-1" reaches the port parser.
            let result = try netclient(["get", "--timeout", "2", "--", "127.0.0.1", port, path], timeout: 30)
            #expect([2, 4, 5, 64].contains(result.status), "get 127.0.0.1 \(String(reflecting: port)) \(String(reflecting: path)): \(result.status) \(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count >= 1)
            #expect(!result.standardError.contains("Fatal error"))
        }
        print("bad input: 120 generated netclient get argument sets (seed 20261124)")
        try probe.close()
    }
}
