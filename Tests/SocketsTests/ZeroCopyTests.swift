import Foundation
import CTestSupport
@testable import Sockets
import SocketsTesting
import Testing

/// Sends `count` bytes of the seeded stream from another thread, then closes.
func startSource(_ socket: consuming Socket, count: Int, chunk: Int = 100_000) -> Completion {
    Loopback.onThread(adopting: socket.releaseDescriptor()) { socket in
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        var offset = 0
        while offset < count {
            let part = UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(chunk, count - offset)])
            TestPattern.fill(part, from: offset, seed: 11)
            try socket.sendAll(UnsafeRawBufferPointer(part))
            offset += part.count
        }
        try socket.shutdown(.write)
    }
}

/// Reads everything the peer sends, on another thread, and fails unless it is `expected`.
func startCollector(_ socket: consuming Socket, expecting expected: [UInt8]) -> Completion {
    Loopback.onThread(adopting: socket.releaseDescriptor()) { socket in
        var received = [UInt8]()
        var buffer = ReceiveBuffer(capacity: 65536)
        _ = try socket.receiveAll(using: &buffer) { chunk in
            chunk.withUnsafeBytes { received.append(contentsOf: $0) }
        }
        guard received == expected else { throw TestTimeout() }
    }
}

@Suite struct ZeroCopyTests {
    @Test(arguments: [1, 1000, 64 * 1024])
    func receiveLoopDeliversEveryByteInOrder(_ capacity: Int) throws {
        let pair = try connectedPair()
        let client = pair.client
        let total = 3 << 20
        let source = startSource(pair.server, count: total)
        var buffer = ReceiveBuffer(capacity: capacity)
        var offset = 0
        var intact = true
        let received = try client.receiveAll(using: &buffer) { chunk in
            chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: offset, seed: 11) }
            offset += chunk.byteCount
        }
        try source.wait()
        #expect(received == total && offset == total && intact)
    }

    @Test func receiveLoopStopsAtTheLimitWithoutOverReading() throws {
        let pair = try connectedPair()
        let client = pair.client
        let source = startSource(pair.server, count: 10_000)
        var buffer = ReceiveBuffer(capacity: 4096)
        #expect(try client.receiveAll(using: &buffer, limit: 5000) { _ in } == 5000)
        let rest = try client.receive(maxCount: 100)
        #expect(rest.first == TestPattern.byte(at: 5000, seed: 11))
        try source.wait()
    }

    @Test func rawReceiveLoopAndZeroCapacity() throws {
        let pair = try connectedPair()
        let client = pair.client
        let source = startSource(pair.server, count: 1 << 20)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 4096)
        defer { memory.deallocate() }
        var offset = 0
        var intact = true
        let received = try client.receiveAll(into: memory) { chunk in
            intact = intact && TestPattern.matches(chunk, at: offset, seed: 11)
            offset += chunk.count
        }
        try source.wait()
        #expect(received == 1 << 20 && intact)
        var empty = ReceiveBuffer(capacity: 0)
        #expect(throws: SocketError.self) { try client.receiveAll(using: &empty) { _ in } }
        #expect(throws: SocketError.self) { try client.receive(into: &empty) }
    }

    @Test func receiveBuffersAreAligned() {
        #expect(ReceiveBuffer(capacity: 100).alignment == 64)
        #expect(ReceiveBuffer(capacity: 64 * 1024).alignment == 4096)
        let buffer = ReceiveBuffer(capacity: 1 << 20)
        #expect(Int(bitPattern: buffer.base) % 4096 == 0)
        #expect(Int(bitPattern: ReceiveBuffer(capacity: 7, alignment: 256).base) % 256 == 0)
    }

    @Test func spanSendAndOutputSpanReceive() throws {
        let pair = try connectedPair()
        let bytes = TestPattern.bytes(count: 100_000, seed: 7)
        try pair.client.sendAll(bytes.span.bytes)
        try pair.client.shutdown(.write)
        var buffer = ReceiveBuffer(capacity: 100_000)
        while !buffer.isFull {
            if try pair.server.receive(into: &buffer) == 0 { break }
        }
        buffer.withBytes { span in
            span.withUnsafeBytes { #expect(Array($0) == bytes) }
        }
        let full = buffer.isFull
        #expect(full)
        #expect(throws: SocketError.self) { try pair.server.receive(into: &buffer) }
    }

    @Test func vectoredWritesSplitMidBuffer() throws {
        let pair = try connectedPair()
        let client = pair.client, server = pair.server
        try client.setSendBufferSize(4096)
        let parts = [TestPattern.bytes(count: 1_000_001, seed: 1), TestPattern.bytes(count: 3, seed: 2), [],
                     TestPattern.bytes(count: 2_000_000, seed: 3)]
        let expected = parts.flatMap { $0 }
        let reader = startCollector(server, expecting: expected)
        try parts[0].withUnsafeBytes { a in
            try parts[1].withUnsafeBytes { b in
                try parts[2].withUnsafeBytes { c in
                    try parts[3].withUnsafeBytes { d in
                        try client.sendAll(vectors: [a, b, c, d])
                    }
                }
            }
        }
        try client.shutdown(.write)
        try reader.wait()
    }

    @Test func vectoredReadsFillBuffersInOrder() throws {
        let pair = try connectedPair()
        let bytes = TestPattern.bytes(count: 20, seed: 7)
        try pair.client.sendAll(bytes)
        while try pair.server.availableBytes < 20 { usleep(1000) }
        var first = [UInt8](repeating: 0, count: 3)
        var second = [UInt8](repeating: 0, count: 5)
        var third = [UInt8](repeating: 0, count: 100)
        let count = try first.withUnsafeMutableBytes { a in
            try second.withUnsafeMutableBytes { b in
                try third.withUnsafeMutableBytes { c in try pair.server.receive(vectors: [a, b, c]) }
            }
        }
        #expect(count == 20)
        #expect(first + second + third.prefix(12) == bytes)
        #expect(throws: SocketError.self) { try pair.server.receive(vectors: []) }
        let sent = try bytes.withUnsafeBytes { try pair.client.send(vectors: [$0, $0]) }
        #expect(sent == 40)
    }

    @Test(arguments: Loopback.both)
    func batchesOfMixedDatagramsWithTruncation(_ loopback: SocketAddress) throws {
        var receiver = try Socket(loopback.family, .datagram)
        try receiver.bind(to: loopback)
        try receiver.setTimeout(.seconds(5))
        let address = try receiver.localAddress
        let sender = try Socket(loopback.family, .datagram)
        let sizes = [0, 1, 100, 1400, 2000, 64, 1500]
        let payloads = sizes.enumerated().map { TestPattern.bytes(count: $0.element, seed: UInt8($0.offset)) }
        let pointers = payloads.map { payload in
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(payload.count, 1), alignment: 16)
            memory.copyBytes(from: payload)
            return UnsafeRawBufferPointer(rebasing: memory[..<payload.count])
        }
        defer { pointers.forEach { UnsafeMutableRawPointer(mutating: $0.baseAddress!).deallocate() } }
        #expect(try sender.sendBatch(pointers.map { OutgoingDatagram($0, to: address) }) == sizes.count)
        var batch = DatagramBatch(slots: 4, slotSize: 1500)
        var received: [(bytes: [UInt8], truncated: Bool)] = []
        while received.count < sizes.count {
            let count = try receiver.receiveBatch(into: &batch)
            #expect(count >= 1 && count <= 4 && batch.count == count)
            for index in 0..<count {
                let bytes = batch.withDatagram(at: index) { span in span.withUnsafeBytes { Array($0) } }
                received.append((bytes, batch.isTruncated(at: index)))
                #expect(batch.sender(at: index)?.port == (try sender.localAddress.port))
            }
        }
        for (index, payload) in payloads.enumerated() {
            #expect(received[index].bytes == Array(payload.prefix(1500)))
            #expect(received[index].truncated == (payload.count > 1500))
        }
    }

    @Test func batchSendsToSeveralDestinations() throws {
        var first = try Socket(.ipv4, .datagram)
        var second = try Socket(.ipv4, .datagram)
        try first.bind(to: .ipv4(.loopback, port: 0))
        try second.bind(to: .ipv4(.loopback, port: 0))
        try first.setTimeout(.seconds(5))
        try second.setTimeout(.seconds(5))
        let sender = try Socket(.ipv4, .datagram)
        let one: [UInt8] = [1]
        let two: [UInt8] = [2, 2]
        let sent = try one.withUnsafeBytes { a in
            try two.withUnsafeBytes { b in
                try sender.sendBatch([OutgoingDatagram(a, to: try first.localAddress),
                                      OutgoingDatagram(b, to: try second.localAddress)])
            }
        }
        #expect(sent == 2)
        #expect(try first.receiveFrom(maxCount: 10).bytes == one)
        #expect(try second.receiveFrom(maxCount: 10).bytes == two)
        #expect(try sender.sendBatch([]) == 0)
    }

    @Test func spliceALargeStreamIntoAFile() throws {
        let pair = try connectedPair()
        let total = 8 << 20
        let source = startSource(pair.server, count: total)
        let path = NSTemporaryDirectory() + "sockets-splice-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlinkPath(path) }
        let file = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        #expect(file >= 0)
        let moved = try pair.client.splice(into: file)
        close(file)
        try source.wait()
        #expect(moved == total)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.count == total)
        #expect(data.withUnsafeBytes { TestPattern.matches($0, at: 0, seed: 11) })
    }

    @Test func sendFileSendsTheFile() throws {
        let pair = try connectedPair()
        let client = pair.client, server = pair.server
        let bytes = TestPattern.bytes(count: 3 << 20, seed: 7)
        let path = NSTemporaryDirectory() + "sockets-sendfile-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlinkPath(path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = startCollector(server, expecting: Array(bytes[1000...]))
        let file = open(path, O_RDONLY)
        defer { close(file) }
        // Asking for more than the file holds stops at its end.
        #expect(try client.sendFile(file, offset: 1000, count: bytes.count) == bytes.count - 1000)
        try client.shutdown(.write)
        try reader.wait()
    }

    @Test func zeroCopySendAllKeepsEveryByte() throws {
        let pair = try connectedPair()
        let client = pair.client, server = pair.server
        let bytes = TestPattern.bytes(count: 4 << 20, seed: 7)
        let reader = startCollector(server, expecting: bytes)
        // On loopback the kernel copies anyway, so this reports false; what matters is that it
        // returns only once the kernel is done with the memory, and every byte arrives.
        _ = try client.sendAllZeroCopy(bytes.span.bytes)
        #expect(try client.zeroCopy)
        try client.shutdown(.write)
        try reader.wait()
    }

    @Test func theMallocCounterSeesAllocations() throws {
        guard malloc_counter_available() != 0 else { return }
        malloc_counter_start()
        let array = [UInt8](repeating: 1, count: Int.random(in: 100...200))
        let allocations = malloc_counter_stop()
        #expect(array.count >= 100)
        #expect(allocations >= 1)
    }

    @Test func steadyStateReceiveLoopAllocatesNothing() throws {
        guard malloc_counter_available() != 0 else { return }
        let pair = try connectedPair()
        let client = pair.client
        let total = 16 << 20
        let source = startSource(pair.server, count: total)
        var buffer = ReceiveBuffer(capacity: 4096)
        var sum = 0
        var chunks = 0
        // Warm up: the first chunk may touch lazily initialized runtime state.
        _ = try client.receiveAll(using: &buffer, limit: 4096) { _ in }
        malloc_counter_start()
        let received = try client.receiveAll(using: &buffer) { chunk in
            sum &+= Int(chunk.unsafeLoad(fromByteOffset: 0, as: UInt8.self))
            chunks += 1
        }
        let allocations = malloc_counter_stop()
        try source.wait()
        #expect(received == total - 4096)
        #expect(chunks >= 4000)
        #expect(allocations == 0)
    }

    @Test func sendAllLoopAllocatesNothing() throws {
        guard malloc_counter_available() != 0 else { return }
        let pair = try connectedPair()
        let client = pair.client, server = pair.server
        try client.setSendBufferSize(4096)
        let total = 16 << 20
        let reader = Loopback.onThread(adopting: server.releaseDescriptor()) { socket in
            var buffer = ReceiveBuffer(capacity: 4096)
            let count = try socket.receiveAll(using: &buffer) { _ in }
            guard count == total else { throw TestTimeout() }
        }
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 4096)
        defer { memory.deallocate() }
        memory.initializeMemory(as: UInt8.self, repeating: 7)
        var calls = 0
        try MockingDriver.withMocking { driver in
            try client.sendAll(UnsafeRawBufferPointer(rebasing: memory[..<65536]))
            calls = driver.count(of: "send")
        }
        malloc_counter_start()
        try client.sendAll(UnsafeRawBufferPointer(rebasing: memory[65536...]))
        try client.sendAll(UnsafeRawBufferPointer(memory).bytes.extracting(0..<0))
        let allocations = malloc_counter_stop()
        try client.shutdown(.write)
        try reader.wait()
        #expect(calls >= 1)
        #expect(allocations == 0)
    }

    @Test func oneRecvPerChunkWhenDataIsWaiting() throws {
        var pair = try connectedPair()
        try pair.client.setTimeout(.seconds(5))
        try pair.server.sendAll(TestPattern.bytes(count: 10_000, seed: 7))
        try pair.server.shutdown(.write)
        // The bytes and the end of stream both here (CLOSE_WAIT, 8): no receive has to wait.
        let end = ContinuousClock.now + .seconds(5)
        while try pair.client.availableBytes < 10_000 || pair.client.tcpInfo.state != 8, ContinuousClock.now < end {
            usleep(1000)
        }
        var buffer = ReceiveBuffer(capacity: 1000)
        try MockingDriver.withMocking { driver in
            let total = try pair.client.receiveAll(using: &buffer) { _ in }
            #expect(total == 10_000)
            // Ten chunks and the end of stream: eleven recv calls, no poll, nothing else.
            #expect(driver.trace == Array(repeating: "recv", count: 11))
        }
    }
}
