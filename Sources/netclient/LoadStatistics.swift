// What `netclient load` counts: requests, bytes, statuses, errors by class, and latency
// histograms (HdrHistogram) for the connect, the first byte and the whole request, the whole
// request again from when it was due (the open loop), and how far behind its timetable the run
// fell.

import Histogram
import Sockets

/// The figures of a load run: one per thread, shared by that thread's workers under one lock
/// (they all run on its reactor's thread, so the lock is never contended), merged at the end.
struct LoadStatistics {
    /// Requests that got a whole reply (whatever its status).
    var completed = 0
    /// Requests that failed, by class.
    var failed = 0
    /// Reply bytes received, heads and bodies.
    var bytes = 0
    /// Connections opened.
    var connections = 0
    /// Completed requests by HTTP status.
    var statuses: [Int: Int] = [:]
    /// Failed requests by exit code class, and the first message of each class.
    var errors: [Exit: Int] = [:]
    var firstErrors: [Exit: String] = [:]
    /// From the start of a request to its connection being set up (new connections only).
    var connect = LoadStatistics.histogram()
    /// From the start of a request to the first byte of its reply.
    var firstByte = LoadStatistics.histogram()
    /// From the start of a request to the end of its reply: the latency as measured.
    var total = LoadStatistics.histogram()
    /// Open loop: from when a request was due to the end of its reply, the latency corrected
    /// for coordinated omission (empty in the closed loop, corrected after the run instead).
    var fromDue = LoadStatistics.histogram()
    /// Open loop: the most a request started after it was due.
    var maxLag: Duration = .zero
    /// Open loop with `-d`: requests due that had not started when the time was up.
    var unsent = 0
    /// Second by second from the run's start (by when requests ended): requests, errors, and
    /// the latency (from when due in the open loop, as measured in the closed one); the first
    /// ``LoadTimeline/maximumSeconds`` seconds.
    var timeline = LoadTimeline()
    /// When the run started, the timeline's origin.
    var start = ContinuousClock.now

    /// A histogram of nanoseconds from 1 ns to an hour, to three significant digits.
    static func histogram() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Notes a completed request.
    mutating func complete(status: Int, bytes: Int, timing: RequestTiming) {
        completed += 1
        self.bytes += bytes
        statuses[status, default: 0] += 1
        if let connected = timing.connected { Self.record(&connect, timing.start.duration(to: connected)) }
        if let firstByte = timing.firstByte { Self.record(&self.firstByte, timing.start.duration(to: firstByte)) }
        let finished = timing.finished ?? .now
        Self.record(&total, timing.start.duration(to: finished))
        if let due = timing.due {
            Self.record(&fromDue, due.duration(to: finished))
            maxLag = max(maxLag, due.duration(to: timing.start))
        }
        // The timeline's latency: from when due in the open loop (what a user waited), as
        // measured in the closed loop.
        timeline.complete(at: start.duration(to: finished), latency: Self.nanoseconds((timing.due ?? timing.start).duration(to: finished)))
    }

    /// Adds another thread's figures to these.
    mutating func merge(_ other: LoadStatistics) {
        completed += other.completed
        failed += other.failed
        bytes += other.bytes
        connections += other.connections
        statuses.merge(other.statuses, uniquingKeysWith: +)
        errors.merge(other.errors, uniquingKeysWith: +)
        firstErrors.merge(other.firstErrors) { mine, _ in mine }
        connect.add(other.connect)
        firstByte.add(other.firstByte)
        total.add(other.total)
        fromDue.add(other.fromDue)
        maxLag = max(maxLag, other.maxLag)
        unsent += other.unsent
        timeline.merge(other.timeline)
    }

    /// Notes a failed request: its class and, for the first of a class, its message.
    mutating func fail(_ failure: Failure, bytes: Int) {
        failed += 1
        self.bytes += bytes
        errors[failure.exit, default: 0] += 1
        if firstErrors[failure.exit] == nil { firstErrors[failure.exit] = failure.message }
        timeline.fail(at: start.duration(to: .now))
    }

    private static func record(_ histogram: inout Histogram<UInt64>, _ duration: Duration) {
        _ = histogram.record(min(nanoseconds(duration), histogram.highestTrackableValue))
    }

    /// `duration` in nanoseconds, at least 1.
    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }

    /// The class most requests failed with: the run's exit code when any failed.
    var commonestError: Exit? {
        errors.max { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue > $1.key.rawValue) }?.key
    }
}

/// When one request was due (open loop), started and reached each step.
struct RequestTiming {
    var due: ContinuousClock.Instant?
    let start = ContinuousClock.now
    var connected: ContinuousClock.Instant?
    var firstByte: ContinuousClock.Instant?
    var finished: ContinuousClock.Instant?
}

/// The percentiles a report gives, with their JSON names.
let reportedPercentiles: [(name: String, percentile: Double)] = [
    ("p50", 50), ("p90", 90), ("p99", 99), ("p99_9", 99.9),
]

extension Histogram where Count == UInt64 {
    /// A copy with the samples a closed loop's stalls kept from being taken filled in, as wrk
    /// corrects its latencies: every value longer than `expectedInterval` (the mean time between
    /// two requests of one connection) adds the values the requests that should have gone out
    /// meanwhile would have seen (HdrHistogram's expected-interval recording).
    func correctedForCoordinatedOmission(expectedInterval: UInt64) -> Histogram {
        var corrected = LoadStatistics.histogram()
        for item in recordedValues() {
            corrected.recordCorrectedValue(item.value, count: item.count, expectedInterval: expectedInterval)
        }
        return corrected
    }

    /// `value` nanoseconds in seconds.
    private static func seconds(_ value: UInt64) -> Double { Double(value) / 1e9 }

    /// `{"count", "min", "mean", "p50", "p90", "p99", "p99_9", "max"}` in seconds; all but
    /// `count` are `null` when nothing was recorded.
    var json: JSON {
        guard totalCount > 0 else {
            return .object([("count", .int(0))] + ["min", "mean"].map { ($0, .null) }
                           + reportedPercentiles.map { ($0.name, .null) } + [("max", .null)])
        }
        return .object([("count", .int(Int(totalCount))), ("min", .double(Self.seconds(min))),
                        ("mean", .double(mean / 1e9))]
                       + reportedPercentiles.map { ($0.name, .double(Self.seconds(valueAtPercentile($0.percentile)))) }
                       + [("max", .double(Self.seconds(max)))])
    }

    /// "p50 1.234 ms  p90 ...  p99 ...  p99.9 ...  max ...", or "-" when empty.
    var percentileText: String {
        guard totalCount > 0 else { return "-" }
        let parts = reportedPercentiles.map { item in
            "\(item.name.replacingUnderscore) \(milliseconds(valueAtPercentile(item.percentile)))"
        }
        return (parts + ["max \(milliseconds(max))"]).joined(separator: "  ")
    }

    /// "mean 0.120 ms, p50 0.110 ms, p99 0.400 ms", or "-" when empty.
    var summaryText: String {
        guard totalCount > 0 else { return "-" }
        return "mean \(fixed(mean / 1e6, 3)) ms, p50 \(milliseconds(valueAtPercentile(50))), "
            + "p99 \(milliseconds(valueAtPercentile(99)))"
    }

    private func milliseconds(_ nanoseconds: UInt64) -> String { "\(fixed(Double(nanoseconds) / 1e6, 3)) ms" }
}

extension String {
    /// "p99_9" as "p99.9".
    fileprivate var replacingUnderscore: String { split(separator: "_").joined(separator: ".") }
}
