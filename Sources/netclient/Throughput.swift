// `netclient throughput [HOST PORT]`: drain a TCP stream and report the rate.

import ArgumentParser
import Foundation
import Sockets

struct Throughput: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drain a TCP stream through the recv loop and report bytes, seconds and GiB/s.",
        discussion: """
        With no HOST and PORT it starts its own bounded source on 127.0.0.1 in this process \
        (the embedded default) and drains --bytes from it.

        With --udp, an embedded source sends --count datagrams of --size bytes over loopback \
        (with segmentation offload where the kernel has it) and the receiver drains them \
        through --path: plain (recv per datagram), batch (recvmmsg) or gro (coalesced \
        receive); it reports datagrams/s, the paths used, and any datagrams lost.

        Exit codes:
        \(Exit.table)
        """)

    @Argument(help: "The host to drain from (default: an embedded loopback source).")
    var host: String?

    @Argument(help: "The port: a number or a tcp service name.")
    var port: String?

    @Option(name: .long, help: "Bytes the embedded source sends, or the most to drain from HOST.")
    var bytes: Int?

    @Option(name: .long, help: "The receive buffer size in bytes.")
    var bufferSize: Int = 64 * 1024

    @Flag(name: .long, help: "Measure UDP datagrams/s from an embedded loopback source instead.")
    var udp = false

    @Option(name: .long, help: "With --udp: how the receiver reads (plain, batch, gro).")
    var path: UDPReceivePath = .gro

    @Option(name: .long, help: "With --udp: the datagram size in bytes, 1 to 65507.")
    var size: Int = 1200

    @Option(name: .long, help: "With --udp: how many datagrams the source sends.")
    var count: Int = 1_000_000

    @OptionGroup var options: ConnectOptions

    func validate() throws {
        guard (host == nil) == (port == nil) else { throw ValidationError("give both HOST and PORT, or neither") }
        guard bufferSize >= 1, bufferSize <= 1 << 30 else { throw ValidationError("--buffer-size must be 1 to 1 GiB") }
        if let bytes, bytes < 0 { throw ValidationError("--bytes must not be negative") }
        if udp {
            guard host == nil else { throw ValidationError("--udp measures from the embedded source: give no HOST or PORT") }
            guard bytes == nil else { throw ValidationError("--udp counts datagrams: use --count, not --bytes") }
            guard size >= 1, size <= 65507 else { throw ValidationError("--size must be 1 to 65507 bytes") }
            guard count >= 1, count <= 1_000_000_000 else { throw ValidationError("--count must be 1 to 1000000000") }
        }
    }

    func run() throws {
        if udp { return try runUDP() }
        try reportingFailures {
            var source: EmbeddedSource?
            let socket: Socket
            if let host, let port {
                socket = try options.connect(host: host, port: port, type: .stream)
            } else {
                let embedded = try EmbeddedSource(bytes: bytes ?? 1 << 30, timeout: options.duration)
                source = embedded
                socket = try options.connect(host: "127.0.0.1", port: "\(embedded.port)", type: .stream)
            }
            var buffer = ReceiveBuffer(capacity: bufferSize)
            let start = ContinuousClock.now
            var progress = Progress(enabled: true)
            var seen = 0
            let limit = host == nil ? nil : bytes
            do throws(SocketError) {
                _ = try socket.receiveAll(using: &buffer, limit: limit) { chunk in
                    seen += chunk.byteCount
                    progress.update(seen)
                }
            } catch {
                throw Failure(error, during: .receive)
            }
            let elapsed = start.duration(to: .now)
            progress.finish(seen)
            source?.finish()
            let rate = Double(seen) / max(elapsed.seconds, 1e-9) / Double(1 << 30)
            let origin = host == nil ? "embedded loopback source" : "\(host!) port \(port!)"
            try Output.standardOutput.write(
                "received \(seen) bytes (\(Progress.size(seen))) in \(fixed(elapsed.seconds, 3)) s: \(fixed(rate, 2)) GiB/s from \(origin)\n")
            if let info = try? socket.tcpInfo {
                let rtt = fixed(info.roundTripTime.seconds * 1000, 3), variance = fixed(info.roundTripTimeVariance.seconds * 1000, 3)
                let delivery = info.deliveryRate.map { Progress.size($0) + "/s" } ?? "-"
                try Output.standardOutput.write(
                    "tcp_info: rtt \(rtt) ms (var \(variance) ms), retransmits \(info.totalRetransmits), "
                    + "congestion window \(info.congestionWindow) segments, delivery rate \(delivery)\n")
            }
            if let expected = bytes, host == nil, seen != expected {
                throw Failure(.receiving, "receiving failed: expected \(expected) bytes, got \(seen)")
            }
        }
    }
}

/// A loopback source on its own thread: accepts one connection, sends a fixed number of bytes,
/// closes. Bounded in bytes and, through its timeouts, in time.
final class EmbeddedSource: @unchecked Sendable {
    let port: UInt16
    private let done = DispatchSemaphore(value: 0)

    init(bytes: Int, timeout: Duration) throws {
        var listener = try Socket.listening(on: .ipv4(.loopback, port: 0), backlog: 1)
        port = try listener.localAddress.port ?? 0
        try listener.setTimeout(.after(timeout))
        let descriptor = listener.releaseDescriptor()
        let done = self.done
        Thread.detachNewThread {
            defer { done.signal() }
            guard var listener = try? Socket(adopting: descriptor),
                  (try? listener.setTimeout(.after(timeout))) != nil,
                  var connection = try? listener.accept(),
                  (try? connection.setTimeout(.after(timeout))) != nil else { return }
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
            defer { chunk.deallocate() }
            chunk.initializeMemory(as: UInt8.self, repeating: 0x5A)
            var sent = 0
            while sent < bytes {
                let size = min(chunk.count, bytes - sent)
                guard (try? connection.sendAll(UnsafeRawBufferPointer(rebasing: chunk[..<size]))) != nil else { return }
                sent += size
            }
        }
    }

    /// Waits for the source thread to end.
    func finish() { done.wait() }
}

extension Throughput {
    /// `--udp`: one run from the embedded UDP source, then the report.
    func runUDP() throws {
        try reportingFailures {
            let run = UDPThroughputRun(count: count, size: size, path: path, timeout: options.duration)
            let result = try run.run()
            let seconds = max(result.seconds, 1e-9)
            let rate = Double(result.received) / seconds
            let lost = result.sent - result.received
            try Output.standardOutput.write(
                "received \(result.received) of \(result.sent) datagrams of \(size) bytes in \(fixed(result.seconds, 3)) s: "
                + "\(fixed(rate / 1e6, 3)) M datagrams/s, \(Progress.size(Int(rate * Double(size))))/s; "
                + "receive path \(path.label), send path \(result.sendPath)"
                + (lost > 0 ? "; \(lost) lost (\(fixed(100 * Double(lost) / Double(max(result.sent, 1)), 2))%)" : "") + "\n")
        }
    }
}
