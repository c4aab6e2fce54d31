// UDP receivers: plain receive against batched receive, library against C.

import BenchC
import BenchReport
import Foundation
import Sockets

/// The receivers measured over UDP; `cPlain` is the baseline.
enum UDPContender: String, CaseIterable {
    case cPlain = "C recv per datagram"
    case cBatch = "C recvmmsg x64"
    case plain = "Sockets receive(into:)"
    case batch = "Sockets receiveBatch x64"
}

/// Queues `count` datagrams of `size` bytes, then times one contender draining them.
func measureUDP(_ contender: UDPContender, size: Int, count: Int) throws -> RunMeasurement {
    var receiver = try Socket(.ipv4, .datagram)
    do { try receiver.setReceiveBufferSize(1 << 30, force: true) } catch {
        try receiver.setReceiveBufferSize(1 << 30)
    }
    try receiver.bind(to: .ipv4(.loopback, port: 0))
    let address = try receiver.localAddress
    let sender = try Socket(.ipv4, .datagram)
    try sender.connect(to: address)
    let sent = sender.withUnsafeDescriptor { bench_send_datagrams($0, size, Int64(count)) }
    guard sent == count else {
        throw SocketError(.system(.invalidArgument), operation: "udp fill", detail: "sent \(sent) of \(count)")
    }
    usleep(20_000)
    try receiver.setTimeout(.nonBlocking)
    let slot = max(size, 2048)
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
    case .batch:
        var batch = DatagramBatch(slots: 64, slotSize: slot, captureSenders: false)
        while true {
            do throws(SocketError) {
                received += try receiver.receiveBatch(into: &batch)
            } catch {
                if error.isWouldBlock { break }
                throw error
            }
        }
    }
    let seconds = start.duration(to: .now)
    let cpu = bench_thread_cpu_seconds() - cpuStart
    return RunMeasurement(bytes: received * size,
                       seconds: Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18,
                       calls: received, cpuSeconds: cpu)
}
