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

    @Option(name: .customShort("P"), help: "How many TCP streams to drain at once, 1 to 128.")
    var parallel: Int = 1

    @Option(name: .long, help: "With --udp: how the receiver reads (plain, batch, gro).")
    var path: UDPReceivePath = .gro

    @Option(name: .long, help: "With --udp: the datagram size in bytes, 1 to 65507.")
    var size: Int = 1200

    @Option(name: .long, help: "With --udp: how many datagrams the source sends.")
    var count: Int = 1_000_000

    @Flag(name: .long, help: "Print one JSON document (schema netclient/1) on stdout instead of the text report.")
    var json = false

    @OptionGroup var options: ConnectOptions

    func validate() throws {
        guard (host == nil) == (port == nil) else { throw ValidationError("give both HOST and PORT, or neither") }
        guard bufferSize >= 1, bufferSize <= 1 << 30 else { throw ValidationError("--buffer-size must be 1 to 1 GiB") }
        if let bytes, bytes < 0 { throw ValidationError("--bytes must not be negative") }
        guard parallel >= 1, parallel <= 128 else { throw ValidationError("-P must be 1 to 128 streams") }
        if udp {
            guard host == nil else { throw ValidationError("--udp measures from the embedded source: give no HOST or PORT") }
            guard bytes == nil else { throw ValidationError("--udp counts datagrams: use --count, not --bytes") }
            guard size >= 1, size <= 65507 else { throw ValidationError("--size must be 1 to 65507 bytes") }
            guard count >= 1, count <= 1_000_000_000 else { throw ValidationError("--count must be 1 to 1000000000") }
        }
    }

    func run() throws {
        if udp { return try runUDP() }
        let report = JSONReport(enabled: json, command: "throughput")
        try report.run {
            var source: EmbeddedSource?
            let target: (host: String, port: String)
            if let host, let port {
                target = (host, port)
            } else {
                let embedded = try EmbeddedSource(bytes: bytes ?? 1 << 30, connections: parallel, timeout: options.duration)
                source = embedded
                target = ("127.0.0.1", "\(embedded.port)")
            }
            // A remote source is drained up to --bytes in total, shared among the streams.
            let limits = (0..<parallel).map { stream in
                host == nil ? nil : bytes.map { $0 / parallel + (stream < $0 % parallel ? 1 : 0) }
            }
            let start = ContinuousClock.now
            let streams: [StreamResult]
            if parallel == 1 {
                var progress = Progress(enabled: !json)
                let socket = try options.connect(host: target.host, port: target.port, type: .stream)
                streams = [try drain(socket, limit: limits[0]) { progress.update($0) }]
                progress.finish(streams[0].bytes)
            } else {
                streams = try drainInParallel(target, limits: limits)
            }
            let elapsed = start.duration(to: .now)
            source?.finish()
            let seen = streams.reduce(0) { $0 + $1.bytes }
            let rate = Double(seen) / max(elapsed.seconds, 1e-9) / Double(1 << 30)
            let origin = host == nil ? "embedded loopback source" : "\(host!) port \(port!)"
            if json {
                try report.print([
                    ("mode", .string("tcp")), ("source", .string(origin)), ("streams_count", .int(parallel)),
                    ("bytes", .int(seen)), ("elapsed_seconds", .double(elapsed.seconds)),
                    ("gib_per_second", .double(rate)),
                    ("streams", .array(streams.map(\.json))),
                    ("total", .object([("bytes", .int(seen)),
                                       ("retransmits", .int(Self.totalRetransmits(streams))),
                                       ("mean_rtt_seconds", .optional(Self.meanRTT(streams)))])),
                ])
            } else {
                try printReport(streams, seen: seen, elapsed: elapsed, rate: rate, origin: origin)
            }
            if let expected = bytes, host == nil, seen != expected {
                throw Failure(.receiving, "receiving failed: expected \(expected) bytes, got \(seen)")
            }
        }
    }

    /// The text report: the total, then each stream's `TCP_INFO`, then their sum.
    private func printReport(_ streams: [StreamResult], seen: Int, elapsed: Duration, rate: Double, origin: String) throws {
        let across = parallel > 1 ? " over \(parallel) streams" : ""
        try Output.standardOutput.write(
            "received \(seen) bytes (\(Progress.size(seen))) in \(fixed(elapsed.seconds, 3)) s: \(fixed(rate, 2)) GiB/s from \(origin)\(across)\n")
        for (index, stream) in streams.enumerated() {
            let label = parallel > 1 ? "stream \(index + 1): \(stream.bytes) bytes, " : ""
            try Output.standardOutput.write("tcp_info: \(label)\(stream.infoText)\n")
        }
        if parallel > 1 {
            try Output.standardOutput.write(
                "tcp_info: total: \(seen) bytes, mean rtt \(fixed((Self.meanRTT(streams) ?? 0) * 1000, 3)) ms, "
                + "retransmits \(Self.totalRetransmits(streams))\n")
        }
    }

    /// The retransmits of the streams that have `TCP_INFO`, added up.
    private static func totalRetransmits(_ streams: [StreamResult]) -> Int {
        streams.compactMap(\.info).reduce(0) { $0 + $1.totalRetransmits }
    }

    /// The mean round-trip time of the streams that have `TCP_INFO`, in seconds.
    private static func meanRTT(_ streams: [StreamResult]) -> Double? {
        let infos = streams.compactMap(\.info)
        return infos.isEmpty ? nil : infos.reduce(0.0) { $0 + $1.roundTripTime.seconds } / Double(infos.count)
    }

    /// One stream's bytes and its connection's `TCP_INFO` at the end.
    struct StreamResult: Sendable {
        var bytes: Int
        var info: TCPInfo?

        /// "rtt 0.024 ms (var 0.012 ms), retransmits 0, congestion window 10 segments, ...".
        var infoText: String {
            guard let info else { return "unavailable" }
            let rtt = fixed(info.roundTripTime.seconds * 1000, 3)
            let variance = fixed(info.roundTripTimeVariance.seconds * 1000, 3)
            let delivery = info.deliveryRate.map { Progress.size($0) + "/s" } ?? "-"
            return "rtt \(rtt) ms (var \(variance) ms), retransmits \(info.totalRetransmits), "
                + "congestion window \(info.congestionWindow) segments, delivery rate \(delivery)"
        }

        /// `{"bytes", "tcp_info"}`, the latter `null` when unavailable.
        var json: JSON {
            guard let info else { return .object([("bytes", .int(bytes)), ("tcp_info", .null)]) }
            return .object([("bytes", .int(bytes)), ("tcp_info", .object([
                ("rtt_seconds", .double(info.roundTripTime.seconds)),
                ("rttvar_seconds", .double(info.roundTripTimeVariance.seconds)),
                ("retransmits", .int(info.totalRetransmits)),
                ("congestion_window_segments", .int(info.congestionWindow)),
                ("delivery_rate_bytes_per_second", .optional(info.deliveryRate)),
                ("mss", .int(info.sendMSS)),
                ("path_mtu", .int(info.pathMTU)),
            ]))])
        }
    }

    /// Drains `socket` through the recv loop (up to `limit`), reporting the running count.
    private func drain(_ socket: borrowing Socket, limit: Int?, _ update: (Int) -> Void) throws -> StreamResult {
        var buffer = ReceiveBuffer(capacity: bufferSize)
        var seen = 0
        do throws(SocketError) {
            _ = try socket.receiveAll(using: &buffer, limit: limit) { chunk in
                seen += chunk.byteCount
                update(seen)
            }
        } catch {
            throw Failure(error, during: .receive)
        }
        return StreamResult(bytes: seen, info: try? socket.tcpInfo)
    }

    /// `-P N`: N connections drained at once, one thread each; the first failure is thrown.
    private func drainInParallel(_ target: (host: String, port: String), limits: [Int?]) throws -> [StreamResult] {
        let results = Locked<[Result<StreamResult, any Error>?]>(Array(repeating: nil, count: limits.count))
        let group = DispatchGroup()
        for (index, limit) in limits.enumerated() {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                let outcome = Result { () throws -> StreamResult in
                    let socket = try options.connect(host: target.host, port: target.port, type: .stream)
                    return try drain(socket, limit: limit) { _ in }
                }
                results.withLock { $0[index] = outcome }
            }
        }
        group.wait()
        return try results.withLock { $0 }.map { try $0!.get() }
    }
}

/// A loopback source: accepts `connections` connections, sends each its share of `bytes`
/// (the first ones one byte more when it does not divide) on a thread of its own, and closes.
/// Bounded in bytes and, through its timeouts, in time.
final class EmbeddedSource: @unchecked Sendable {
    let port: UInt16
    private let done = DispatchGroup()

    init(bytes: Int, connections: Int = 1, timeout: Duration) throws {
        var listener = try Socket.listening(on: .ipv4(.loopback, port: 0), backlog: connections)
        port = try listener.localAddress.port ?? 0
        try listener.setTimeout(.after(timeout))
        let descriptor = listener.releaseDescriptor()
        let done = self.done
        done.enter()
        Thread.detachNewThread {
            defer { done.leave() }
            guard var listener = try? Socket(adopting: descriptor), (try? listener.setTimeout(.after(timeout))) != nil
            else { return }
            for index in 0..<connections {
                guard let owned = try? listener.accept().releaseDescriptor() else { return }
                let share = bytes / connections + (index < bytes % connections ? 1 : 0)
                done.enter()
                Thread.detachNewThread {
                    defer { done.leave() }
                    guard var connection = try? Socket(adopting: owned),
                          (try? connection.setTimeout(.after(timeout))) != nil else { return }
                    EmbeddedSource.send(share, on: connection)
                }
            }
        }
    }

    /// Sends `bytes` bytes of 0x5A on `connection`, stopping at the first error.
    private static func send(_ bytes: Int, on connection: borrowing Socket) {
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

    /// Waits for the source's threads to end.
    func finish() { done.wait() }
}

extension Throughput {
    /// `--udp`: one run from the embedded UDP source, then the report.
    func runUDP() throws {
        let report = JSONReport(enabled: json, command: "throughput")
        try report.run {
            let run = UDPThroughputRun(count: count, size: size, path: path, timeout: options.duration)
            let result = try run.run()
            let seconds = max(result.seconds, 1e-9)
            let rate = Double(result.received) / seconds
            let lost = result.sent - result.received
            if json {
                return try report.print([
                    ("mode", .string("udp")), ("size", .int(size)), ("sent", .int(result.sent)),
                    ("received", .int(result.received)), ("lost", .int(lost)),
                    ("elapsed_seconds", .double(result.seconds)), ("datagrams_per_second", .double(rate)),
                    ("bytes_per_second", .double(rate * Double(size))),
                    ("receive_path", .string(path.rawValue)), ("send_path", .string(result.sendPath.description)),
                ])
            }
            try Output.standardOutput.write(
                "received \(result.received) of \(result.sent) datagrams of \(size) bytes in \(fixed(result.seconds, 3)) s: "
                + "\(fixed(rate / 1e6, 3)) M datagrams/s, \(Progress.size(Int(rate * Double(size))))/s; "
                + "receive path \(path.label), send path \(result.sendPath)"
                + (lost > 0 ? "; \(lost) lost (\(fixed(100 * Double(lost) / Double(max(result.sent, 1)), 2))%)" : "") + "\n")
        }
    }
}
