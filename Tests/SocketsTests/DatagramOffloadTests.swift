// UDP at line rate on loopback: segmented sends, coalesced receives, per-datagram metadata,
// the error queue, the path MTU, and the fallback when segmentation is refused.

import CTestSupport
import Foundation
@testable import Sockets
import SocketsTesting
import Testing

/// A UDP socket bound to loopback, and its address.
private struct Bound: ~Copyable {
    var socket: Socket
    var address: SocketAddress
}

/// A UDP receiver bound to loopback with a 5-second timeout, and its address.
private func receiver(_ family: AddressFamily = .ipv4) throws -> Bound {
    var socket = try Socket(family, .datagram)
    try socket.bind(to: family == .ipv4 ? .ipv4(.loopback, port: 0) : .ipv6(.loopback, port: 0))
    try socket.setTimeout(.seconds(5))
    try? socket.setReceiveBufferSize(4 << 20)
    let address = try socket.localAddress
    return Bound(socket: socket, address: address)
}

/// Receives with `receiveMessage` until `total` bytes of datagrams arrived; returns each
/// datagram and the metadata of each receive.
private func collect(
    _ socket: borrowing Socket, total: Int, buffer: UnsafeMutableRawBufferPointer
) throws -> (datagrams: [[UInt8]], receives: [ReceivedDatagram]) {
    var datagrams: [[UInt8]] = []
    var receives: [ReceivedDatagram] = []
    var bytes = 0
    while bytes < total || (total == 0 && datagrams.isEmpty) {
        let received = try socket.receiveMessage(into: buffer)
        receives.append(received)
        for range in received.segments {
            datagrams.append(Array(UnsafeRawBufferPointer(rebasing: buffer[range])))
        }
        bytes += received.count
    }
    return (datagrams, receives)
}

/// Cuts `bytes` as the kernel cuts a segmented send.
private func cut(_ bytes: [UInt8], every size: Int) -> [[UInt8]] {
    stride(from: 0, to: max(bytes.count, 1), by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
}

@Suite struct DatagramOffloadTests {
    static let shapes: [(segment: Int, count: Int, shortLast: Int)] = [
        (1200, 40, 0), (1200, 1, 0), (1200, 7, 300), (1, 64, 0), (64, 64, 0), (64, 10, 1),
        (1472, 44, 0), (9000, 7, 4321), (1000, 64, 0), (65_000, 1, 0),
    ]

    @Test(arguments: [AddressFamily.ipv4, .ipv6], 0..<DatagramOffloadTests.shapes.count)
    func segmentedSendArrivesCoalescedAndByteExact(_ family: AddressFamily, _ shape: Int) throws {
        let (segment, count, shortLast) = Self.shapes[shape]
        let bound = try receiver(family)
        let socket = bound.socket, address = bound.address
        try socket.setReceiveCoalescing(true)
        let sender = try Socket(family, .datagram)
        let total = segment * (shortLast > 0 ? count - 1 : count) + shortLast
        let payload = TestPattern.bytes(count: total, seed: UInt8(shape))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 64)
        defer { buffer.deallocate() }
        let sent = try payload.withUnsafeBytes { bytes in
            try sender.send(OutgoingDatagram(bytes, to: address, segmentSize: segment))
        }
        #expect(sent == total)
        #expect(sender.datagramSendPath == .segmentationOffload)
        let (datagrams, receives) = try collect(socket, total: total, buffer: buffer)
        #expect(datagrams == cut(payload, every: segment))
        if count > 1 {
            #expect(receives.contains { $0.segmentSize == segment })
        }
    }

    @Test func withoutCoalescingSegmentsArriveAsSeparateDatagrams() throws {
        let bound = try receiver()
        let socket = bound.socket, address = bound.address
        let sender = try Socket(.ipv4, .datagram)
        let payload = TestPattern.bytes(count: 1200 * 9 + 500, seed: 3)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 64)
        defer { buffer.deallocate() }
        _ = try payload.withUnsafeBytes { try sender.send(OutgoingDatagram($0, to: address, segmentSize: 1200)) }
        let (datagrams, receives) = try collect(socket, total: payload.count, buffer: buffer)
        #expect(receives.count == 10)
        #expect(receives.allSatisfy { $0.segmentSize == nil })
        #expect(datagrams == cut(payload, every: 1200))
    }

    @Test func batchSendGroupsEqualDatagramsIntoSegmentedMessages() throws {
        let bound = try receiver()
        let socket = bound.socket, address = bound.address
        try socket.setReceiveCoalescing(true)
        let sender = try Socket(.ipv4, .datagram)
        let payloads = (0..<150).map { TestPattern.bytes(count: $0 == 149 ? 17 : 1200, seed: UInt8($0)) }
        let memory = payloads.map { payload in
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(payload.count, 1), alignment: 16)
            memory.copyBytes(from: payload)
            return UnsafeRawBufferPointer(rebasing: memory[..<payload.count])
        }
        defer { memory.forEach { UnsafeMutableRawPointer(mutating: $0.baseAddress!).deallocate() } }
        #if DEBUG
        let calls = try MockingDriver.withMocking { (driver) throws in
            #expect(try sender.sendBatch(memory.map { OutgoingDatagram($0, to: address) }) == 150)
            return driver.count(of: "sendmmsg")
        }
        #expect(calls == 1)
        #else
        #expect(try sender.sendBatch(memory.map { OutgoingDatagram($0, to: address) }) == 150)
        #endif
        var batch = DatagramBatch(slots: 8, slotSize: 65_536, metadata: true)
        var datagrams: [[UInt8]] = []
        var coalesced = 0
        while datagrams.count < 150 {
            let count = try socket.receiveBatch(into: &batch)
            for index in 0..<count {
                let metadata = batch.metadata(at: index)
                if metadata.segmentSize == 1200 { coalesced += 1 }
                #expect(metadata.sender?.port == (try sender.localAddress.port))
                batch.forEachSegment(at: index) { span in datagrams.append(span.withUnsafeBytes { Array($0) }) }
            }
        }
        #expect(datagrams == payloads)
        #expect(coalesced >= 1)
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func metadataArrivesWithEveryDatagram(_ family: AddressFamily) throws {
        let bound = try receiver(family)
        let socket = bound.socket, address = bound.address
        try socket.setReceivePacketInfo(true)
        try socket.setReceiveECN(true)
        try socket.setReceiveTimestamps(true)
        #expect(try socket.receivePacketInfo && socket.receiveECN && socket.receiveTimestamps)
        let sender = try Socket(family, .datagram)
        let loopbackIndex = if_nametoindex("lo")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 64)
        defer { buffer.deallocate() }
        let codepoints: [ECN] = [.notCapable, .capable0, .capable1, .congestionExperienced, .capable0]
        var last: Duration? = nil
        for (index, ecn) in codepoints.enumerated() {
            let payload = TestPattern.bytes(count: 100 + index, seed: UInt8(index))
            _ = try payload.withUnsafeBytes { try sender.send(OutgoingDatagram($0, to: address, ecn: ecn)) }
            let received = try socket.receiveMessage(into: buffer)
            #expect(Array(UnsafeRawBufferPointer(rebasing: buffer[..<received.count])) == payload)
            #expect(received.destination == (family == .ipv4 ? .v4(.loopback) : .v6(.loopback)))
            #expect(received.interfaceIndex == loopbackIndex)
            #expect(received.ecn == ecn)
            #expect(received.sender?.port == (try sender.localAddress.port))
            let timestamp = try #require(received.timestamp)
            if let last { #expect(timestamp >= last) }
            last = timestamp
            #expect(!received.isTruncated && !received.isMetadataTruncated)
        }
    }

    @Test func sourceAddressAndInterfaceAreHonoured() throws {
        let bound = try receiver()
        let socket = bound.socket, address = bound.address
        try socket.setReceivePacketInfo(true)
        let sender = try Socket(.ipv4, .datagram)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 64)
        defer { buffer.deallocate() }
        let source = IPv4Address(127, 0, 0, 7)
        _ = try [UInt8]([9, 9]).withUnsafeBytes {
            try sender.send(OutgoingDatagram($0, to: address, source: .v4(source), interfaceIndex: if_nametoindex("lo")))
        }
        let received = try socket.receiveMessage(into: buffer)
        #expect(received.count == 2)
        if case .ipv4(let from, _) = received.sender { #expect(from == source) } else { Issue.record("no IPv4 sender") }
    }

    @Test func metadataIsOffUnlessAsked() throws {
        let bound = try receiver()
        let socket = bound.socket, address = bound.address
        let sender = try Socket(.ipv4, .datagram)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 64)
        defer { buffer.deallocate() }
        _ = try sender.send([1, 2, 3], to: address)
        let received = try socket.receiveMessage(into: buffer)
        #expect(received.count == 3 && received.destination == nil && received.ecn == nil)
        #expect(received.timestamp == nil && received.segmentSize == nil && received.interfaceIndex == nil)
    }

    @Test func metadataThatDoesNotFitIsReportedAndTheDatagramKept() throws {
        let bound = try receiver(.ipv6)
        let socket = bound.socket, address = bound.address
        try socket.setReceivePacketInfo(true)
        try socket.setReceiveECN(true)
        try socket.setReceiveTimestamps(true)
        // Options the library does not read, each adding a control message, until the 256
        // bytes of room overflow: hop limit, original destination, flow info, software
        // timestamping and the mark.
        let one: Int32 = 1
        let stamping: Int32 = 0x8 | 0x10  // SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE
        for (level, name, value) in [(Int32(IPPROTO_IPV6), Int32(51), one), (Int32(IPPROTO_IPV6), Int32(74), one),
                                     (Int32(IPPROTO_IPV6), Int32(11), one), (Int32(SOL_SOCKET), Int32(37), stamping),
                                     (Int32(SOL_SOCKET), Int32(75), one)] {
            try withUnsafeBytes(of: value) { try socket.setRawOption(level: level, name: name, value: $0) }
        }
        let sender = try Socket(.ipv6, .datagram)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 64)
        defer { buffer.deallocate() }
        _ = try sender.send([4, 5, 6], to: address)
        let received = try socket.receiveMessage(into: buffer)
        #expect(received.count == 3 && Array(UnsafeRawBufferPointer(rebasing: buffer[..<3])) == [4, 5, 6])
        #expect(received.isMetadataTruncated)
    }

    @Test func sendToAClosedPortQueuesPortUnreachable() throws {
        let closed = try Loopback.closedPort(.ipv4(.loopback, port: 0))
        var sender = try Socket(.ipv4, .datagram)
        try sender.setReceiveErrors(true)
        #expect(try sender.receiveErrors)
        try sender.setTimeout(.seconds(5))
        _ = try sender.send([1, 2, 3], to: closed)
        let queued = try #require(try waitForQueuedError(sender))
        #expect(queued.errno == .connectionRefused)
        #expect(queued.origin == .icmp)
        #expect(queued.destination == closed)
        #expect(queued.reason == "port unreachable")
        #expect(queued.error.description.contains(":\(closed.port!)"))
        #expect(queued.offender != nil)
        #expect(try sender.nextQueuedError() == nil)
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func connectedSocketReportsConnectionRefused(_ family: AddressFamily) throws {
        let closed = try Loopback.closedPort(family == .ipv4 ? .ipv4(.loopback, port: 0) : .ipv6(.loopback, port: 0))
        var socket = try Socket(family, .datagram)
        try socket.setTimeout(.seconds(5))
        try socket.connect(to: closed)
        try socket.sendAll([1])
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 64)
        defer { buffer.deallocate() }
        #expect(throws: SocketError.self) { _ = try socket.receiveMessage(into: buffer) }
        do throws(SocketError) {
            try socket.sendAll([2])
            _ = try socket.receiveMessage(into: buffer)
            Issue.record("no error from a closed port")
        } catch {
            #expect(error.kind == .system(.connectionRefused))
        }
    }

    @Test func dontFragmentDatagramOverThePathMTUIsRefusedWithTheMTU() throws {
        // Loopback's MTU is 65,536: only IPv6, whose header and UDP's leave room for a
        // 65,500-byte payload to exceed it, can send a datagram over it.
        let address = try receiver(.ipv6).address
        var sender = try Socket(.ipv6, .datagram)
        try sender.setTimeout(.seconds(5))
        try sender.setPathMTUDiscovery(.dontFragment)
        #expect(try sender.pathMTUDiscovery == .dontFragment)
        try sender.setReceiveErrors(true)
        try sender.connect(to: address)
        let mtu = try sender.pathMTU
        #expect(mtu == 65_536)
        let payload = [UInt8](repeating: 1, count: 65_500)
        let error = #expect(throws: SocketError.self) {
            _ = try payload.withUnsafeBytes { try sender.send(OutgoingDatagram($0)) }
        }
        #expect(error?.kind == .system(.messageTooLong))
        #expect(error?.description.contains("65536") == true)
        let queued = try #require(try waitForQueuedError(sender))
        #expect(queued.errno == .messageTooLong && queued.mtu == 65_536 && queued.origin == .local)
    }

    #if DEBUG
    @Test func refusedSegmentationFallsBackWithoutLosingADatagram() throws {
        let bound = try receiver()
        let socket = bound.socket, address = bound.address
        let sender = try Socket(.ipv4, .datagram)
        let payload = TestPattern.bytes(count: 1200 * 12 + 11, seed: 8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 64)
        defer { buffer.deallocate() }
        try MockingDriver.withMocking { (driver) throws in
            driver.force(.ioError, on: "sendmsg")
            let sent = try payload.withUnsafeBytes { try sender.send(OutgoingDatagram($0, to: address, segmentSize: 1200)) }
            #expect(sent == payload.count)
            #expect(driver.trace.contains("sendmmsg"))
        }
        #expect(sender.datagramSendPath == .batch)
        let (datagrams, _) = try collect(socket, total: payload.count, buffer: buffer)
        #expect(datagrams == cut(payload, every: 1200))
    }

    @Test func refusedSegmentationInABatchFallsBackWithoutLosingADatagram() throws {
        let bound = try receiver()
        let socket = bound.socket, address = bound.address
        let sender = try Socket(.ipv4, .datagram)
        let payloads = (0..<20).map { TestPattern.bytes(count: 500, seed: UInt8($0)) }
        let flat = payloads.flatMap { $0 }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 64)
        defer { buffer.deallocate() }
        try flat.withUnsafeBytes { flat in
            let datagrams = (0..<20).map { OutgoingDatagram(UnsafeRawBufferPointer(rebasing: flat[$0 * 500..<($0 + 1) * 500]), to: address) }
            try MockingDriver.withMocking { (driver) throws in
                driver.force(.invalidArgument, on: "sendmmsg")
                #expect(try sender.sendBatch(datagrams) == 20)
                #expect(driver.count(of: "sendmmsg") == 2)
            }
        }
        #expect(sender.datagramSendPath == .batch)
        let (datagrams, _) = try collect(socket, total: flat.count, buffer: buffer)
        #expect(datagrams == payloads)
    }
    #endif

    @Test func nonUDPSocketsNeverSegmentInTheKernel() throws {
        let path = NSTemporaryDirectory() + "sockets-gso-\(getpid()).sock"
        unlink(path)
        defer { unlink(path) }
        var socket = try Socket(.unix, .datagram)
        try socket.bind(to: .unix(path: path))
        try socket.setTimeout(.seconds(5))
        let sender = try Socket(.unix, .datagram)
        #expect(sender.datagramSendPath == .batch)
        let payload = TestPattern.bytes(count: 250, seed: 1)
        _ = try payload.withUnsafeBytes { try sender.send(OutgoingDatagram($0, to: .unix(path: path), segmentSize: 100)) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 64)
        defer { buffer.deallocate() }
        let (datagrams, _) = try collect(socket, total: 250, buffer: buffer)
        #expect(datagrams == cut(payload, every: 100))
    }

    @Test func badSegmentSizesAreRefusedBeforeSending() throws {
        let address = try receiver().address
        let sender = try Socket(.ipv4, .datagram)
        let bytes = [UInt8](repeating: 0, count: 6500)
        try bytes.withUnsafeBytes { bytes in
            for (size, words) in [(0, "segment size 0"), (70_000, "segment size 70000"), (-5, "segment size -5"),
                                  (100, "65 datagrams")] {
                let error = #expect(throws: SocketError.self) {
                    _ = try sender.send(OutgoingDatagram(bytes, to: address, segmentSize: size))
                }
                #expect(error?.kind == .system(.invalidArgument))
                #expect(error?.description.contains(words) == true, "\(error?.description ?? "")")
                #expect(throws: SocketError.self) {
                    _ = try sender.sendBatch([OutgoingDatagram(bytes, to: address, segmentSize: size)])
                }
            }
        }
        #expect(throws: SocketError.self) { try sender.setSegmentSize(70_000) }
        #expect(throws: SocketError.self) { try sender.setSegmentSize(-1) }
        try sender.setSegmentSize(1200)
        #expect(try sender.segmentSize == 1200)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 1)
        defer { buffer.deallocate() }
        #expect(throws: SocketError.self) { _ = try sender.receiveMessage(into: buffer) }
    }

    @Test func steadyStateOffloadPathsAllocateNothing() throws {
        guard malloc_counter_available() != 0 else { return }
        let bound = try receiver()
        let socket = bound.socket, address = bound.address
        try socket.setReceiveCoalescing(true)
        try socket.setReceivePacketInfo(true)
        try socket.setReceiveECN(true)
        let sender = try Socket(.ipv4, .datagram)
        try sender.connect(to: address)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1000, alignment: 64)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 64)
        defer { memory.deallocate(); buffer.deallocate() }
        memory.initializeMemory(as: UInt8.self, repeating: 3)
        let segmented = OutgoingDatagram(UnsafeRawBufferPointer(memory), segmentSize: 1000, ecn: .capable0)
        let batch = (0..<64).map { OutgoingDatagram(UnsafeRawBufferPointer(rebasing: memory[($0 * 1000)..<($0 * 1000 + 1000)])) }
        var arena = DatagramBatch(slots: 4, slotSize: 65_536, captureSenders: false, metadata: true)
        var datagrams = 0
        var sum = 0
        func round() throws {
            _ = try sender.send(segmented)
            let received = try socket.receiveMessage(into: buffer)
            for range in received.segments { sum &+= Int(buffer[range.lowerBound]); datagrams += 1 }
            _ = try sender.sendBatch(batch)
            var got = 0
            while got < 64 {
                let filled = try socket.receiveBatch(into: &arena)
                for index in 0..<filled {
                    arena.forEachSegment(at: index) { span in sum &+= Int(span.unsafeLoad(as: UInt8.self)); got += 1 }
                }
            }
            datagrams += got
        }
        try round()  // Warm up: the first calls may touch lazily initialized runtime state.
        malloc_counter_start()
        for _ in 0..<200 { try round() }
        let allocations = malloc_counter_stop()
        #expect(datagrams == 201 * 128)
        #expect(sum == datagrams * 3)
        #expect(allocations == 0)
    }

    @Test func segmentsCoverTheBufferExactly() {
        #expect(Array(DatagramSegments(byteCount: 0, segmentSize: 100)) == [0..<0])
        #expect(Array(DatagramSegments(byteCount: 250, segmentSize: 100)) == [0..<100, 100..<200, 200..<250])
        #expect(Array(DatagramSegments(byteCount: 200, segmentSize: 100)) == [0..<100, 100..<200])
        #expect(Array(DatagramSegments(byteCount: 50, segmentSize: 100)) == [0..<50])
        #expect(Array(DatagramSegments(byteCount: 50, segmentSize: 0)) == [0..<50])
        #expect(Array(DatagramSegments(byteCount: -3, segmentSize: -1)) == [0..<0])
    }

    @Test func ecnCodepointsAreCheckedAndNamed() {
        #expect(ECN(rawValue: 4) == nil)
        #expect(ECN(rawValue: 3) == .congestionExperienced)
        #expect(ECN.capable0.description == "ECT(0)")
    }
}

/// Polls the error queue for up to five seconds (an ICMP error on loopback is queued before
/// the send returns; the wait only bounds a slow machine).
private func waitForQueuedError(_ socket: borrowing Socket) throws -> QueuedError? {
    for _ in 0..<5000 {
        if let queued = try socket.nextQueuedError() { return queued }
        usleep(1000)
    }
    return nil
}
