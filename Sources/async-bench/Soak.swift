// `async-bench soak SECONDS [WORKERS]`: churn on the installed runtime (2 reactors unless
// SOCKETS_REACTORS says otherwise) for SECONDS: WORKERS tasks, each cycling through connect and
// ping-pong against the C echo server, receive timeouts, cancelled receives, connections an
// in-process server resets, and refused connects. Every 10 s it samples the open descriptors
// (/proc/self/fd) and the resident memory (/proc/self/statm); at the end both must be flat
// after the first minute (descriptors within WORKERS * 2 of the 60 s sample, memory within 10%),
// or the run fails. `make soak` runs it for 10 minutes (not in CI).

import AsyncSockets
import Foundation
import Sockets
import Synchronization

/// What the soak's workers did, by outcome.
final class SoakCounts: Sendable {
    let cycles = Atomic<Int>(0)
    let pingPongs = Atomic<Int>(0)
    let timeouts = Atomic<Int>(0)
    let cancellations = Atomic<Int>(0)
    let resets = Atomic<Int>(0)
    let refusals = Atomic<Int>(0)
    let unexpected = Atomic<Int>(0)
    let firstUnexpected = Mutex<String?>(nil)

    func noteUnexpected(_ error: any Error) {
        unexpected.add(1, ordering: .relaxed)
        firstUnexpected.withLock { if $0 == nil { $0 = "\(error)" } }
    }
}

/// Open descriptors and resident bytes of this process now.
func soakSample() -> (descriptors: Int, residentBytes: Int) {
    let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
    return (descriptors, pages * 4096)
}

/// Runs the soak; returns whether descriptors and memory stayed flat.
func soak(seconds: Double, workers: Int, echo: SocketAddress) async throws -> Bool {
    let counts = SoakCounts()
    // An in-process server that resets every connection it accepts (SO_LINGER 0, close).
    let resetter = try AsyncSocket.listening(on: .ipv4(.loopback, port: 0), backlog: 1024)
    let resetAddress = try resetter.localAddress
    let closedPort: SocketAddress = try {
        let probe = try Socket(.ipv4, .stream)
        try probe.bind(to: .ipv4(.loopback, port: 0))
        return try probe.localAddress
    }()
    let end = ContinuousClock.now.advanced(by: .nanoseconds(Int64(seconds * 1e9)))
    let server = Task {
        while ContinuousClock.now < end {
            guard let connection = try? await resetter.accept() else { continue }
            try? connection.withSocket { (socket) throws(SocketError) in try socket.setLinger(.zero) }
            connection.close()
        }
    }
    let sampler = Task { () -> [(seconds: Int, descriptors: Int, residentBytes: Int)] in
        var samples: [(seconds: Int, descriptors: Int, residentBytes: Int)] = []
        var elapsed = 0
        while ContinuousClock.now < end {
            try? await Task.sleep(for: .seconds(10))
            elapsed += 10
            let sample = soakSample()
            samples.append((elapsed, sample.descriptors, sample.residentBytes))
            say("  \(elapsed) s: \(sample.descriptors) descriptors, \(sample.residentBytes >> 20) MiB resident, "
                + "\(counts.cycles.load(ordering: .relaxed)) cycles (\(counts.pingPongs.load(ordering: .relaxed)) ping-pongs, "
                + "\(counts.timeouts.load(ordering: .relaxed)) timeouts, \(counts.cancellations.load(ordering: .relaxed)) cancelled, "
                + "\(counts.resets.load(ordering: .relaxed)) resets, \(counts.refusals.load(ordering: .relaxed)) refused), "
                + "\(counts.unexpected.load(ordering: .relaxed)) unexpected")
        }
        return samples
    }
    await withTaskGroup(of: Void.self) { group in
        for worker in 0..<workers {
            group.addTask {
                var turn = worker
                let message = [UInt8](repeating: 0x73, count: 64)
                while ContinuousClock.now < end {
                    turn &+= 1
                    do throws(SocketError) {
                        switch turn % 5 {
                        case 0, 1:  // Connect, 10 round trips, close.
                            let socket = try await AsyncSocket.connected(to: echo, timeout: .seconds(10))
                            for _ in 0..<10 {
                                try await socket.sendAll(message)
                                var got = 0
                                while got < message.count { got += try await socket.receive(maxCount: message.count - got).count }
                            }
                            counts.pingPongs.add(1, ordering: .relaxed)
                        case 2:  // A receive that times out: the echo server sends nothing unasked.
                            var socket = try await AsyncSocket.connected(to: echo, timeout: .seconds(10))
                            try socket.setTimeout(.after(.milliseconds(20)))
                            do throws(SocketError) {
                                _ = try await socket.receive(maxCount: 16)
                                counts.noteUnexpected(SocketError(.system(.invalidArgument), operation: "soak", detail: "a receive did not time out"))
                            } catch where error.kind == .timeout {
                                counts.timeouts.add(1, ordering: .relaxed)
                            }
                        case 3:  // A receive cancelled while it waits.
                            let socket = try await AsyncSocket.connected(to: echo, timeout: .seconds(10))
                            let waiting = Task { try await socket.receive(maxCount: 16) }
                            try? await Task.sleep(for: .milliseconds(2))
                            waiting.cancel()
                            if case .failure(let error) = await waiting.result, (error as? SocketError)?.kind == .cancelled {
                                counts.cancellations.add(1, ordering: .relaxed)
                            } else {
                                counts.noteUnexpected(SocketError(.system(.invalidArgument), operation: "soak", detail: "a cancelled receive did not say so"))
                            }
                        default:  // A reset by the peer, and a refused connect.
                            // The reset can beat the connect's own end: then the connect fails
                            // with it (ECONNRESET, or EPIPE from SO_ERROR), which counts too.
                            do throws(SocketError) {
                                let socket = try await AsyncSocket.connected(to: resetAddress, timeout: .seconds(10))
                                let bytes = try await socket.receive(maxCount: 16)
                                if bytes.isEmpty { counts.resets.add(1, ordering: .relaxed) }  // An orderly end also ends it.
                            } catch where error.kind == .system(.connectionReset) || error.kind == .system(.brokenPipe) {
                                counts.resets.add(1, ordering: .relaxed)
                            }
                            do throws(SocketError) {
                                _ = try await AsyncSocket.connected(to: closedPort, timeout: .seconds(10))
                                counts.noteUnexpected(SocketError(.system(.invalidArgument), operation: "soak", detail: "a closed port accepted"))
                            } catch where error.kind == .system(.connectionRefused) {
                                counts.refusals.add(1, ordering: .relaxed)
                            }
                        }
                        counts.cycles.add(1, ordering: .relaxed)
                    } catch {
                        counts.noteUnexpected(error)
                    }
                }
            }
        }
    }
    let samples = await sampler.value
    server.cancel()
    resetter.close()
    _ = await server.value
    let settled = samples.filter { $0.seconds >= 60 }
    guard let base = settled.first else {
        say("soak: shorter than a minute: nothing to compare (\(counts.cycles.load(ordering: .relaxed)) cycles, "
            + "\(counts.unexpected.load(ordering: .relaxed)) unexpected\(counts.firstUnexpected.withLock { $0 }.map { ", first: \($0)" } ?? ""))")
        return counts.unexpected.load(ordering: .relaxed) == 0
    }
    let descriptorsFlat = settled.allSatisfy { abs($0.descriptors - base.descriptors) <= workers * 2 }
    let memoryFlat = settled.allSatisfy { Double($0.residentBytes) <= Double(base.residentBytes) * 1.10 }
    let unexpected = counts.unexpected.load(ordering: .relaxed)
    say("soak: \(counts.cycles.load(ordering: .relaxed)) cycles; after the first minute descriptors "
        + "\(settled.map(\.descriptors).min()!) to \(settled.map(\.descriptors).max()!) (\(descriptorsFlat ? "flat" : "GREW")), resident "
        + "\(settled.map(\.residentBytes).min()! >> 20) to \(settled.map(\.residentBytes).max()! >> 20) MiB (\(memoryFlat ? "flat" : "GREW")); "
        + "\(unexpected) unexpected\(counts.firstUnexpected.withLock { $0 }.map { ", first: \($0)" } ?? "")")
    return descriptorsFlat && memoryFlat && unexpected == 0
}
