// Many connections at once on one reactor, every byte checked.

@testable import AsyncSockets
import Foundation
import Sockets
import SocketsTesting
import Testing

@Suite struct ScaleTests {
    @Test func aThousandConcurrentConnectionsEachChecksummed() async throws {
        // Both ends are in this process (two descriptors a connection), beside the other tests'
        // sockets and servers: near the limit, their socket and accept calls would fail with
        // EMFILE. The limit is raised as far as the hard limit allows, and the connections kept
        // to a quarter of it.
        let connections = min(1000, raiseDescriptorLimit(to: 8000) / 4)
        if connections < 1000 { print("scale: \(connections) connections (the descriptor limit is low)") }
        let bytesEach = 16 * 1024
        // The patterns are made here, off the reactor, and checked with memcmp: making and
        // checking 32 MiB byte by byte on the reactor's thread (slow under ThreadSanitizer)
        // would hold up every other test's sockets and timers.
        let patterns = (0..<256).map { TestPattern.bytes(count: bytesEach, seed: UInt8($0)) }
        try await onReactor {
            let listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0), backlog: connections)
            let address = try listener.localAddress
            try await withThrowingTaskGroup(of: Int.self) { group in
                // The server: accepts every connection and streams the pattern (seeded per
                // connection by the first byte the client sends), all on the reactor.
                group.addTask {
                    try await withThrowingTaskGroup(of: Void.self) { served in
                        for _ in 0..<connections {
                            let connection = try await listener.accept()
                            served.addTask {
                                let seed = try await connection.receive(maxCount: 1)
                                try await connection.sendAll(patterns[Int(seed[0])])
                            }
                        }
                        try await served.waitForAll()
                    }
                    return 0
                }
                for index in 0..<connections {
                    group.addTask {
                        let socket = try await AsyncSocket.connected(to: address, timeout: .seconds(60))
                        let seed = UInt8(truncatingIfNeeded: index)
                        try await socket.sendAll([seed])
                        var buffer = ReceiveBuffer(capacity: 16 * 1024)
                        var offset = 0
                        var intact = true
                        _ = try await socket.receiveAll(using: &buffer) { chunk in
                            chunk.withUnsafeBytes { bytes in
                                intact = intact && offset + bytes.count <= bytesEach && patterns[Int(seed)].withUnsafeBytes {
                                    memcmp($0.baseAddress! + offset, bytes.baseAddress!, bytes.count) == 0
                                }
                            }
                            offset += chunk.byteCount
                        }
                        return intact ? offset : -1
                    }
                }
                var total = 0
                var damaged = 0
                for try await received in group {
                    if received < 0 { damaged += 1 } else { total += received }
                }
                #expect(damaged == 0)
                #expect(total == connections * bytesEach)
            }
            // (That no registration is left behind is the leak suite's to check: it runs alone, while
        // the tests here run alongside others that hold sockets of their own.)
        }
    }
}
