// UDP: receivers draining the same queue (plain, batched, coalesced), and senders (plain,
// batched, segmented), the library against C.

import BenchC
import BenchReport
import Foundation
import Sockets

/// The receivers measured over UDP; `cPlain` is the baseline. Every queue is filled by the
/// same C source sending with `UDP_SEGMENT`, so that a coalescing receiver can see coalesced
/// buffers (on loopback only a segmented send arrives coalesced) and the others the same
/// datagrams one by one.
enum UDPContender: String, CaseIterable {
    case cPlain = "C recv per datagram"
    case cBatch = "C recvmmsg x64"
    case cGRO = "C UDP_GRO recvmmsg x8"
    case plain = "Sockets receive(into:)"
    case batch = "Sockets receiveBatch x64"
    case gro = "Sockets GRO receiveBatch x8"

    /// The C loop this library path is measured against.
    var twin: UDPContender? {
        switch self {
        case .plain: .cPlain
        case .batch: .cBatch
        case .gro: .cGRO
        default: nil
        }
    }

    var coalesces: Bool { self == .cGRO || self == .gro }
}

/// Queues `count` datagrams of `size` bytes, then times one contender draining them.
func measureUDP(_ contender: UDPContender, size: Int, count: Int) throws -> RunMeasurement {
    var receiver = try Socket(.ipv4, .datagram)
    do { try receiver.setReceiveBufferSize(1 << 30, force: true) } catch {
        try receiver.setReceiveBufferSize(1 << 30)
    }
    if contender.coalesces { try receiver.setReceiveCoalescing(true) }
    try receiver.bind(to: .ipv4(.loopback, port: 0))
    let address = try receiver.localAddress
    let sender = try Socket(.ipv4, .datagram)
    try sender.connect(to: address)
    let sent = sender.withUnsafeDescriptor { bench_send_datagrams_gso($0, size, Int64(count)) }
    guard sent == count else {
        throw SocketError(.system(.invalidArgument), operation: "udp fill", detail: "sent \(sent) of \(count)")
    }
    usleep(20_000)
    try receiver.setTimeout(.nonBlocking)
    let slot = contender.coalesces ? 65_536 : max(size, 2048)
    var received = 0
    let cpuStart = bench_thread_cpu_seconds()
    let start = ContinuousClock.now
    switch contender {
    case .cPlain:
        let memory = UnsafeMutableRawPointer.allocate(byteCount: slot, alignment: 64)
        defer { memory.deallocate() }
        received = Int(receiver.withUnsafeDescriptor { bench_c_recv_datagrams($0, memory, slot) })
    case .cBatch:
        let arena = UnsafeMutableRawPointer.allocate(byteCount: slot * 64, alignment: 64)
        defer { arena.deallocate() }
        received = Int(receiver.withUnsafeDescriptor { bench_c_recvmmsg_datagrams($0, arena, slot, 64) })
    case .cGRO:
        let arena = UnsafeMutableRawPointer.allocate(byteCount: slot * 8, alignment: 64)
        defer { arena.deallocate() }
        received = Int(receiver.withUnsafeDescriptor { bench_c_gro_datagrams($0, arena, slot, 8) })
    case .plain:
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: slot, alignment: 64)
        defer { memory.deallocate() }
        while true {
            do throws(SocketError) {
                _ = try receiver.receive(into: memory)
                received += 1
            } catch {
                if error.isWouldBlock { break }
                throw error
            }
        }
    case .batch, .gro:
        let slots = contender == .gro ? 8 : 64
        var batch = DatagramBatch(slots: slots, slotSize: slot, captureSenders: false, metadata: contender == .gro)
        while true {
            do throws(SocketError) {
                let filled = try receiver.receiveBatch(into: &batch)
                if contender == .gro {
                    for index in 0..<filled { received += batch.segments(at: index).count }
                } else {
                    received += filled
                }
            } catch {
                if error.isWouldBlock { break }
                throw error
            }
        }
    }
    let seconds = start.duration(to: .now)
    let cpu = bench_thread_cpu_seconds() - cpuStart
    guard received == count else {
        throw SocketError(.system(.invalidArgument), operation: "udp drain",
                          detail: "\(contender.rawValue) received \(received) of \(count)")
    }
    return RunMeasurement(bytes: received * size,
                          seconds: Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18,
                          calls: received, cpuSeconds: cpu)
}

/// The senders measured over UDP; `cPlain` is the baseline.
enum UDPSendContender: String, CaseIterable {
    case cPlain = "C send per datagram"
    case cBatch = "C sendmmsg x64"
    case cGSO = "C UDP_SEGMENT sendmsg"
    case plain = "Sockets send(_:)"
    case batch = "Sockets sendBatch x64"
    case gso = "Sockets send(segmentSize:)"

    /// The C loop this library path is measured against.
    var twin: UDPSendContender? {
        switch self {
        case .plain: .cPlain
        case .batch: .cBatch
        case .gso: .cGSO
        default: nil
        }
    }
}

/// Times one contender sending `count` datagrams of `size` bytes to a loopback receiver that
/// coalesces and never reads (once its queue is full the kernel drops them: the figure is
/// what the sending side can push).
func measureUDPSend(_ contender: UDPSendContender, size: Int, count: Int) throws -> RunMeasurement {
    let receiver = try Socket(.ipv4, .datagram)
    try receiver.setReceiveCoalescing(true)
    try receiver.bind(to: .ipv4(.loopback, port: 0))
    let sender = try Socket(.ipv4, .datagram)
    try sender.connect(to: try receiver.localAddress)
    let perSend = max(1, min(OutgoingDatagram.maxSegments, OutgoingDatagram.maxDatagramSize / size))
    let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: perSend * size, alignment: 64)
    defer { memory.deallocate() }
    memory.initializeMemory(as: UInt8.self, repeating: 0x5A)
    var sent = 0
    let cpuStart = bench_thread_cpu_seconds()
    let start = ContinuousClock.now
    switch contender {
    case .cPlain:
        sent = Int(sender.withUnsafeDescriptor { bench_send_datagrams_plain($0, size, Int64(count)) })
    case .cBatch:
        sent = Int(sender.withUnsafeDescriptor { bench_send_datagrams($0, size, Int64(count)) })
    case .cGSO:
        sent = Int(sender.withUnsafeDescriptor { bench_send_datagrams_gso($0, size, Int64(count)) })
    case .plain:
        let one = UnsafeRawBufferPointer(rebasing: memory[..<size])
        while sent < count {
            _ = try sender.send(one)
            sent += 1
        }
    case .batch:
        let one = UnsafeRawBufferPointer(rebasing: memory[..<size])
        let datagrams = [OutgoingDatagram](repeating: OutgoingDatagram(one), count: 64)
        while sent < count {
            sent += try sender.sendBatch(count - sent >= 64 ? datagrams : Array(datagrams[..<(count - sent)]))
        }
    case .gso:
        while sent < count {
            let now = min(perSend, count - sent)
            _ = try sender.send(OutgoingDatagram(UnsafeRawBufferPointer(rebasing: memory[..<(now * size)]),
                                                 segmentSize: now > 1 ? size : nil))
            sent += now
        }
    }
    let seconds = start.duration(to: .now)
    let cpu = bench_thread_cpu_seconds() - cpuStart
    guard sent == count else {
        throw SocketError(.system(.invalidArgument), operation: "udp send", detail: "\(contender.rawValue) sent \(sent) of \(count)")
    }
    return RunMeasurement(bytes: sent * size,
                          seconds: Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18,
                          calls: sent, cpuSeconds: cpu)
}

/// "Sockets GRO receiveBatch x8 / C UDP_GRO recvmmsg x8: 0.99" lines: each library path
/// against its C twin, from the rows of one size.
func twinRatios(_ rows: [Row], pairs: [(library: String, c: String)]) -> [String] {
    pairs.compactMap { pair in
        guard let library = rows.first(where: { $0.contender == pair.library }),
              let c = rows.first(where: { $0.contender == pair.c && $0.size == library.size && $0.mode == library.mode })
        else { return nil }
        return String(format: "udp %@ %d B: %@ / %@ = %.3f (datagrams/s)", library.mode, library.size,
                      pair.library, pair.c, library.callsPerSecond / c.callsPerSecond)
    }
}
