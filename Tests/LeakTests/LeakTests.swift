// Descriptor leaks: the count of open descriptors (/proc/self/fd) must not grow across fault
// runs and 10,000 failures of each kind. Run alone and serially (`make test` does), since
// other tests open descriptors of their own.

import Foundation
import Sockets
import SocketsTesting
import Testing

/// How many descriptors this process has open.
func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// Runs `body`, then checks that no descriptor stayed open.
func expectNoLeak(_ what: String, _ body: () throws -> Void) rethrows {
    let before = openDescriptors()
    try body()
    let after = openDescriptors()
    #expect(after <= before, "\(what): \(before) descriptors before, \(after) after")
}

@Suite(.serialized) struct LeakTests {
    @Test func tenThousandRefusedConnects() throws {
        let probe = try Socket(.ipv4, .stream)
        try probe.bind(to: .ipv4(.loopback, port: 0))
        let closed = try probe.localAddress
        try probe.close()
        try expectNoLeak("refused") {
            for _ in 0..<10_000 {
                do throws(SocketError) { _ = try Socket.connected(to: closed, timeout: .seconds(5)) } catch {
                    guard error.kind == .system(.connectionRefused) else { throw error }
                }
            }
        }
    }

    @Test func tenThousandConnectTimeouts() throws {
        let backlog = try FullBacklogListener()
        try expectNoLeak("connect timeout") {
            for _ in 0..<10_000 {
                do throws(SocketError) { _ = try Socket.connected(to: backlog.address, timeout: .microseconds(1)) } catch {
                    guard error.kind == .timeout else { throw error }
                }
            }
        }
    }

    @Test func tenThousandRacingConnectFailures() throws {
        let probe = try Socket(.ipv6, .stream)
        try probe.bind(to: .ipv6(.loopback, port: 0))
        let closed6 = try probe.localAddress
        try probe.close()
        let backlog = try FullBacklogListener()
        try expectNoLeak("happy eyeballs") {
            for _ in 0..<10_000 {
                do throws(SocketError) {
                    _ = try Socket.connected(toAny: [closed6, backlog.address], timeout: .milliseconds(1),
                                           strategy: .happyEyeballs(attemptDelay: .milliseconds(10)))
                } catch {
                    guard error.kind == .timeout || error.kind == .system(.connectionRefused) else { throw error }
                }
            }
        }
    }

    @Test func tenThousandResolutionFailuresMadeLocally() throws {
        try expectNoLeak("resolution") {
            for index in 0..<10_000 {
                do throws(SocketError) {
                    if index.isMultiple(of: 2) {
                        _ = try Resolver.resolve("127.0.0.\(index).1", port: 80, flags: [.numericHost])
                    } else {
                        _ = try Socket.connected(toHost: "localhost", port: "nosuchservice\(index)")
                    }
                } catch {
                    guard error.kind.isResolution else { throw error }
                }
            }
        }
    }

    @Test func faultServersLeaveNothingOpen() throws {
        let backlog = try FullBacklogListener()
        try expectNoLeak("fault servers") {
            for _ in 0..<50 {
                // Half-close: read to EOF, then send on the open half.
                let half = try TestServer.halfClose(bytes: 10_000)
                var client = try Socket.connected(to: half.address, timeout: .seconds(5))
                try client.setTimeout(.seconds(5))
                var sink = ReceiveBuffer(capacity: 4096)
                _ = try client.receiveAll(using: &sink) { _ in }
                try client.sendAll([1, 2, 3])
                try client.close()
                try half.wait()
                // Send to a closed peer: EPIPE or ECONNRESET, no signal.
                let gone = try TestServer.reset(after: 0, waitForRequest: false)
                let writer = try Socket.connected(to: gone.address, timeout: .seconds(5))
                try gone.wait()
                _ = try? writer.sendAll([UInt8](repeating: 0, count: 1 << 20))
                try writer.close()
                // A connect timeout against a full backlog.
                _ = try? Socket.connected(to: backlog.address, timeout: .milliseconds(2))
                let reset = try TestServer.reset(after: 1000, waitForRequest: false)
                var socket = try Socket.connected(to: reset.address, timeout: .seconds(5))
                try socket.setTimeout(.seconds(5))
                var buffer = ReceiveBuffer(capacity: 4096)
                _ = try? socket.receiveAll(using: &buffer) { _ in }
                try socket.close()
                try reset.wait()
                let silent = try TestServer.silent(lifetime: .seconds(5))
                var quiet = try Socket.connected(to: silent.address, timeout: .seconds(5))
                try quiet.setTimeout(.milliseconds(1))
                _ = try? quiet.receive(maxCount: 10)
                try quiet.close()
                try silent.wait()
            }
        }
    }

    @Test func tenThousandConnectCloseCycles() throws {
        let listener = try Socket.listening(on: .ipv4(.loopback, port: 0), backlog: 128)
        let address = try listener.localAddress
        try expectNoLeak("connect/close") {
            for _ in 0..<10_000 {
                let client = try Socket(.ipv4, .stream)
                try client.connect(to: address)
                let server = try listener.accept()
                try server.close()
                try client.close()
            }
        }
    }
}
