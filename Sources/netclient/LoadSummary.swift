// The report of a `netclient load` run, as text (like ab's and wrk's) or as JSON.

import AsyncSockets
import Histogram
import Sockets

extension Duration {
    /// The duration in whole nanoseconds.
    var nanosecondsCount: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// A finished load run and its figures.
struct LoadSummary {
    let load: Load
    let address: SocketAddress
    let workers: Int
    let threads: Int
    let elapsed: Duration
    let cpu: CPUTime
    let statistics: LoadStatistics
    /// The open loop's timetable; `nil` for the closed loop.
    let schedule: LoadSchedule?
    /// The latency corrected for coordinated omission: from when each request was due (open
    /// loop), or with the requests a stall held back filled in as wrk does (closed loop).
    let corrected: Histogram<UInt64>
    /// Closed loop: the mean time between two requests of one client, the interval the
    /// correction assumes (nanoseconds).
    let expectedInterval: UInt64?

    init(load: Load, address: SocketAddress, workers: Int, threads: Int, elapsed: Duration, cpu: CPUTime,
         statistics: LoadStatistics, schedule: LoadSchedule?) {
        self.load = load
        self.address = address
        self.workers = workers
        self.threads = threads
        self.elapsed = elapsed
        self.cpu = cpu
        self.statistics = statistics
        self.schedule = schedule
        if schedule != nil {
            corrected = statistics.fromDue
            expectedInterval = nil
        } else {
            // wrk's interval: the run's time over the requests each connection completed.
            let perClient = Double(statistics.completed) / Double(workers)
            let interval = perClient >= 1 ? UInt64(Double(elapsed.nanosecondsCount) / perClient) : 0
            corrected = interval > 0 ? statistics.total.correctedForCoordinatedOmission(expectedInterval: interval) : statistics.total
            expectedInterval = interval > 0 ? interval : nil
        }
    }

    private var seconds: Double { max(elapsed.seconds, 1e-9) }
    private var requestsPerSecond: Double { Double(statistics.completed) / seconds }
    private var bytesPerSecond: Double { Double(statistics.bytes) / seconds }
    private var mode: String { load.keepAlive ? "keep-alive" : "new-connection" }

    /// Open loop: requests completed per second of the timetable's span.
    private var achievedRate: Double? {
        schedule.map { Double(statistics.completed) / max($0.span.seconds, 1e-9) }
    }

    /// How the latency was corrected, in words.
    private var correctionText: String {
        if schedule != nil { return "from when each request was due" }
        guard let expectedInterval else { return "nothing to correct" }
        return "as wrk does, at \(fixed(Double(expectedInterval) / 1e6, 3)) ms between a client's requests"
    }

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

    /// The run in one line: target, mode, concurrency, threads, loop.
    var title: String {
        let target = "\(load.host) port \(address.port ?? 0) \(load.path)"
        let modeText = load.keepAlive ? "keep-alive" : "a new connection per request"
        let loopText = schedule.map { "open loop at \(fixed($0.rate, 1)) requests/s" } ?? "closed loop"
        return "netclient load \(target): \(modeText), concurrency \(workers), \(threads) thread\(threads == 1 ? "" : "s"), \(loopText), "
            + "\(statistics.completed) requests in \(fixed(elapsed.seconds, 1)) s"
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
        let loopText = schedule.map { "open loop at \(fixed($0.rate, 1)) requests/s" } ?? "closed loop"
        let threadText = threads == 1 ? "1 thread" : "\(threads) threads"
        var lines: [String] = [
            "load: \(target), \(modeText), concurrency \(workers), \(threadText), \(loopText)",
            requestLine,
        ]
        if let schedule, let achievedRate {
            lines.append("schedule: \(fixed(schedule.rate, 1)) requests/s asked, \(fixed(achievedRate, 1)) achieved; "
                         + "at worst \(fixed(statistics.maxLag.seconds * 1000, 3)) ms behind; \(statistics.unsent) not sent in time")
        }
        lines += [
            "latency: \(corrected.percentileText) (corrected: \(correctionText))",
            "uncorrected: \(statistics.total.percentileText) (from when each request went out)",
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

    /// The fields of the JSON document (see docs/netclient.md and docs/netclient-schema.json).
    var json: [(String, JSON)] {
        [
            ("target", .object([("host", .string(load.host)), ("port", .int(Int(address.port ?? 0))),
                                ("path", .string(load.path)), ("address", .string(address.description))])),
            ("mode", .string(mode)),
            ("concurrency", .int(workers)),
            ("threads", .int(threads)),
            ("backend", .string(AsyncSocket.backend.rawValue)),
            ("requests", .object([("completed", .int(statistics.completed)), ("failed", .int(statistics.failed))])),
            ("connections", .int(statistics.connections)),
            ("elapsed_seconds", .double(elapsed.seconds)),
            ("requests_per_second", .double(requestsPerSecond)),
            ("bytes", .int(statistics.bytes)),
            ("bytes_per_second", .double(bytesPerSecond)),
            ("latency_seconds", statistics.total.json),
            ("latency_corrected_seconds", corrected.json),
            ("correction", .object([("method", .string(schedule != nil ? "schedule" : expectedInterval != nil ? "expected_interval" : "none")),
                                    ("expected_interval_seconds", .optional(expectedInterval.map { Double($0) / 1e9 }))])),
            ("schedule", schedule.map { schedule in
                .object([("rate_requested", .double(schedule.rate)), ("rate_achieved", .optional(achievedRate)),
                         ("due", .int(schedule.total)), ("unsent", .int(statistics.unsent)),
                         ("max_behind_seconds", .double(statistics.maxLag.seconds))])
            } ?? .null),
            ("phases_seconds", .object([("connect", statistics.connect.json), ("first_byte", statistics.firstByte.json),
                                        ("total", statistics.total.json)])),
            ("timeline", .array(statistics.timeline.seconds.enumerated().map { index, second in
                .object([("second", .int(index)), ("completed", .int(second.completed)), ("failed", .int(second.failed)),
                         ("p50_seconds", second.completed > 0 ? .double(Double(second.latency.valueAtPercentile(50)) / 1e9) : .null),
                         ("p99_seconds", second.completed > 0 ? .double(Double(second.latency.valueAtPercentile(99)) / 1e9) : .null)])
            })),
            ("status_counts", .object(statistics.statuses.sorted { $0.key < $1.key }.map { ("\($0.key)", .int($0.value)) })),
            ("error_counts", .object(statistics.errors.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { ($0.key.className, .int($0.value)) })),
            ("cpu_seconds", .object([("user", .double(cpu.user)), ("system", .double(cpu.system)),
                                     ("per_request", .optional(cpuPerRequest))])),
            ("error", failure?.json ?? .null),
        ]
    }
}
