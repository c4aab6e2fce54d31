// `netclient throughput --udp`: datagrams per second from an embedded loopback source,
// received through one of the library's paths.

import ArgumentParser
import Foundation
import Sockets

/// How the receiver reads datagrams.
enum UDPReceivePath: String, ExpressibleByArgument, CaseIterable {
    /// One `recv` per datagram.
    case plain
    /// `recvmmsg`, 64 datagrams per call.
    case batch
    /// `UDP_GRO` coalesced buffers, 8 per `recvmmsg` call.
    case gro

    /// The path's name in the report.
    var label: String {
        switch self {
        case .plain: "plain (recv per datagram)"
        case .batch: "batch (recvmmsg x64)"
        case .gro: "GRO (coalesced, recvmmsg x8)"
        }
    }
}

/// One UDP throughput run: a source thread sends `count` datagrams of `size` bytes to a
/// loopback receiver, which drains them through `path`.
struct UDPThroughputRun {
    var count: Int
    var size: Int
    var path: UDPReceivePath
    var timeout: Duration

    /// What the run measured.
    struct Result {
        var received: Int
        var sent: Int
        var seconds: Double
        var sendPath: DatagramSendPath
    }

    /// A loopback receiver with a large buffer, coalescing for `.gro`, and a 500 ms timeout
    /// that tells when the source has gone quiet.
    private func makeReceiver() throws(Failure) -> Socket {
        do throws(SocketError) {
            var receiver = try Socket(.ipv4, .datagram)
            try receiver.bind(to: .ipv4(.loopback, port: 0))
            do throws(SocketError) { try receiver.setReceiveBufferSize(64 << 20, force: true) } catch {
                try receiver.setReceiveBufferSize(64 << 20)
            }
            if path == .gro { try receiver.setReceiveCoalescing(true) }
            try receiver.setTimeout(.after(.milliseconds(500)))
            return receiver
        } catch {
            throw Failure(error, during: .receive)
        }
    }

    func run() throws(Failure) -> Result {
        let receiver = try makeReceiver()
        let address: SocketAddress
        do throws(SocketError) { address = try receiver.localAddress } catch { throw Failure(error, during: .receive) }
        let source = UDPSource(to: address, count: count, size: size)
        var received = 0
        var first: ContinuousClock.Instant?
        var last = ContinuousClock.now
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let slot = path == .gro ? 65_536 : max(size, 2048)
        var batch = DatagramBatch(slots: path == .gro ? 8 : path == .batch ? 64 : 1, slotSize: slot,
                                  captureSenders: false, metadata: path == .gro)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: slot, alignment: 64)
        defer { buffer.deallocate() }
        while received < count && ContinuousClock.now < deadline {
            do throws(SocketError) {
                switch path {
                case .plain:
                    _ = try receiver.receive(into: buffer)
                    received += 1
                case .batch:
                    received += try receiver.receiveBatch(into: &batch)
                case .gro:
                    let filled = try receiver.receiveBatch(into: &batch)
                    for index in 0..<filled { received += batch.segments(at: index).count }
                }
                if first == nil { first = .now }
                last = .now
            } catch where error.isTimeout {
                if source.isFinished { break }  // Idle after the source ended: the rest was lost.
            } catch {
                throw Failure(error, during: .receive)
            }
        }
        let outcome = source.finish()
        if let failure = outcome.error { throw Failure(failure, during: .send) }
        let elapsed = first.map { $0.duration(to: last) } ?? .zero
        return Result(received: received, sent: outcome.sent, seconds: elapsed.seconds, sendPath: outcome.path)
    }
}

/// The embedded UDP source: one thread sending `count` datagrams of `size` bytes to
/// `destination` with segmentation offload where the kernel has it, then ending.
final class UDPSource: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let state = NSLock()
    private var finished = false
    private var sent = 0
    private var error: SocketError?
    private var path = DatagramSendPath.batch

    init(to destination: SocketAddress, count: Int, size: Int) {
        Thread.detachNewThread { [self] in
            defer {
                state.withLock { finished = true }
                done.signal()
            }
            let perSend = max(1, min(OutgoingDatagram.maxSegments, OutgoingDatagram.maxDatagramSize / size))
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: perSend * size, alignment: 64)
            defer { memory.deallocate() }
            memory.initializeMemory(as: UInt8.self, repeating: 0x5A)
            do throws(SocketError) {
                let socket = try Socket(.ipv4, .datagram)
                try socket.connect(to: destination)
                var total = 0
                while total < count {
                    let now = min(perSend, count - total)
                    let bytes = UnsafeRawBufferPointer(rebasing: memory[..<(now * size)])
                    _ = try socket.send(OutgoingDatagram(bytes, segmentSize: now > 1 ? size : nil))
                    total += now
                    state.withLock { sent = total }
                }
                let used = socket.datagramSendPath
                state.withLock { path = used }
            } catch {
                state.withLock { self.error = error }
            }
        }
    }

    /// Whether the source has ended.
    var isFinished: Bool { state.withLock { finished } }

    /// Waits for the source to end; returns what it sent, its path, and its error.
    func finish() -> (sent: Int, path: DatagramSendPath, error: SocketError?) {
        done.wait()
        return state.withLock { (sent, path, error) }
    }
}
