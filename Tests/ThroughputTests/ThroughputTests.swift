// Bounded recv-loop runs over loopback through the library's public recv loop: the bytes and
// their checksum must match what the source sent. Rates are printed, never asserted.

import Sockets
import SocketsTesting
import Testing

/// FNV-1a over bytes, continued from `hash`.
@inline(__always)
func fnv1a(_ hash: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hash = hash
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}

/// The checksum of the first `count` bytes of the test pattern.
func expectedChecksum(count: Int, seed: UInt8) -> UInt64 {
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
    defer { chunk.deallocate() }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    var offset = 0
    while offset < count {
        let size = min(chunk.count, count - offset)
        let part = UnsafeMutableRawBufferPointer(rebasing: chunk[..<size])
        TestPattern.fill(part, from: offset, seed: seed)
        hash = fnv1a(hash, UnsafeRawBufferPointer(part))
        offset += size
    }
    return hash
}

@Suite struct ThroughputTests {
    @Test(arguments: [64, 1024, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024])
    func recvLoopDeliversTheSourceIntact(_ bufferSize: Int) throws {
        let total = bufferSize < 1024 ? 4 << 20 : 32 << 20
        let seed = UInt8(truncatingIfNeeded: bufferSize >> 6)
        let server = try TestServer.source(bytes: total, seed: seed, lifetime: .seconds(60))
        var socket = try Socket.connected(to: server.address, timeout: .seconds(10))
        try socket.setTimeout(.seconds(30))
        var buffer = ReceiveBuffer(capacity: bufferSize)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var calls = 0
        let start = ContinuousClock.now
        let received = try socket.receiveAll(using: &buffer) { chunk in
            chunk.withUnsafeBytes { hash = fnv1a(hash, $0) }
            calls += 1
        }
        let elapsed = start.duration(to: .now)
        try server.wait()
        #expect(received == total)
        #expect(hash == expectedChecksum(count: total, seed: seed))
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("recv loop, \(bufferSize)-byte buffer: \(received) bytes in \(calls) chunks, "
              + "\(Double(received) / seconds / Double(1 << 30)) GiB/s, \(Double(calls + 1) / seconds) calls/s "
              + "(debug build, checksumming every byte)")
    }

    @Test func rawRecvLoopDeliversTheSourceIntact() throws {
        let total = 16 << 20
        let server = try TestServer.source(bytes: total, seed: 9, lifetime: .seconds(60))
        let socket = try Socket.connected(to: server.address, timeout: .seconds(10))
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 4096)
        defer { memory.deallocate() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let received = try socket.receiveAll(into: memory) { hash = fnv1a(hash, $0) }
        try server.wait()
        #expect(received == total)
        #expect(hash == expectedChecksum(count: total, seed: 9))
    }
}
