// The report of a `netclient load` run, as text (like ab's and wrk's) or as JSON.

import AsyncSockets
import Sockets

/// A finished load run and its figures.
struct LoadSummary {
    let load: Load
    let address: SocketAddress
    let workers: Int
    let elapsed: Duration
    let cpu: CPUTime
    let statistics: LoadStatistics

    private var seconds: Double { max(elapsed.seconds, 1e-9) }
    private var requestsPerSecond: Double { Double(statistics.completed) / seconds }
    private var bytesPerSecond: Double { Double(statistics.bytes) / seconds }
    private var mode: String { load.keepAlive ? "keep-alive" : "new-connection" }

    /// CPU seconds (user and system) per completed request, or `nil` when none completed.
    private var cpuPerRequest: Double? {
        statistics.completed > 0 ? (cpu.user + cpu.system) / Double(statistics.completed) : nil
    }

    /// When requests failed: the failure of the commonest class, naming the counts.
    var failure: Failure? {
        guard let commonest = statistics.commonestError else { return nil }
        let classes = statistics.errors.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.value) \($0.key.className)" }.joined(separator: ", ")
        let first = statistics.firstErrors[commonest] ?? ""
        return Failure(commonest, "\(statistics.failed) of \(statistics.completed + statistics.failed) requests failed "
                       + "(\(classes)); first \(commonest.className) error: \(first)")
    }

    /// The text report.
    var text: String {
        let target = "\(load.host) port \(address.port ?? 0) \(load.path) (\(address))"
        let statuses = statistics.statuses.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }
        let errors = statistics.errors.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.className) x\($0.value)" }
        let requestLine = "requests: \(statistics.completed) completed, \(statistics.failed) failed in "
            + "\(fixed(elapsed.seconds, 3)) s: \(fixed(requestsPerSecond, 1)) requests/s, "
            + "\(Progress.size(Int(bytesPerSecond)))/s (\(statistics.bytes) bytes over \(statistics.connections) connections)"
        let perRequest = cpuPerRequest.map { ", \(fixed($0 * 1e6, 2)) µs per request" } ?? ""
        let cpuLine = "cpu: \(fixed(cpu.user, 3)) s user, \(fixed(cpu.system, 3)) s system" + perRequest
        let modeText = load.keepAlive ? "keep-alive" : "a new connection per request"
        var lines: [String] = [
            "load: \(target), \(modeText), concurrency \(workers)",
            requestLine,
            "latency: \(statistics.total.percentileText)",
            "connect: \(statistics.connect.summaryText)",
            "first byte: \(statistics.firstByte.summaryText)",
            "total: \(statistics.total.summaryText)",
            "status: " + (statuses.isEmpty ? "-" : statuses.joined(separator: ", ")),
            "errors: " + (errors.isEmpty ? "none" : errors.joined(separator: ", ")),
            cpuLine,
        ]
        for (exit, message) in statistics.firstErrors.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            lines.append("first \(exit.className) error: \(message)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The fields of the JSON document (see the README's schema).
    var json: [(String, JSON)] {
        [
            ("target", .object([("host", .string(load.host)), ("port", .int(Int(address.port ?? 0))),
                                ("path", .string(load.path)), ("address", .string(address.description))])),
            ("mode", .string(mode)),
            ("concurrency", .int(workers)),
            ("backend", .string(AsyncSocket.backend.rawValue)),
            ("requests", .object([("completed", .int(statistics.completed)), ("failed", .int(statistics.failed))])),
            ("connections", .int(statistics.connections)),
            ("elapsed_seconds", .double(elapsed.seconds)),
            ("requests_per_second", .double(requestsPerSecond)),
            ("bytes", .int(statistics.bytes)),
            ("bytes_per_second", .double(bytesPerSecond)),
            ("latency_seconds", statistics.total.json),
            ("phases_seconds", .object([("connect", statistics.connect.json), ("first_byte", statistics.firstByte.json),
                                        ("total", statistics.total.json)])),
            ("status_counts", .object(statistics.statuses.sorted { $0.key < $1.key }.map { ("\($0.key)", .int($0.value)) })),
            ("error_counts", .object(statistics.errors.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { ($0.key.className, .int($0.value)) })),
            ("cpu_seconds", .object([("user", .double(cpu.user)), ("system", .double(cpu.system)),
                                     ("per_request", .optional(cpuPerRequest))])),
            ("error", failure?.json ?? .null),
        ]
    }
}
