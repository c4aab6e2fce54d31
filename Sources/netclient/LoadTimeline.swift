// `netclient load`'s run second by second: how many requests ended in each second of the run
// (by when they ended), how many failed, and the latency of that second's requests (a small
// HdrHistogram per second, two significant digits), for the JSON document's timeline and the
// --plot picture.

import Histogram

/// The run's seconds, in order from its start.
struct LoadTimeline {
    /// One second of the run.
    struct Second {
        var completed = 0
        var failed = 0
        /// Latency (from when due in the open loop, as measured in the closed one), nanoseconds
        /// from 1 µs to 10 minutes, two significant digits.
        var latency = Histogram<UInt32>(lowestDiscernibleValue: 1_000, highestTrackableValue: 600_000_000_000,
                                        numberOfSignificantValueDigits: .two)
    }

    /// The most seconds kept (an hour): about 5 KiB each, per thread.
    static let maximumSeconds = 3_600

    private(set) var seconds: [Second] = []

    /// Notes a request that ended `elapsed` into the run after `latency` nanoseconds.
    mutating func complete(at elapsed: Duration, latency: UInt64) {
        guard let index = slot(elapsed) else { return }
        seconds[index].completed += 1
        _ = seconds[index].latency.record(min(max(latency, 1_000), seconds[index].latency.highestTrackableValue))
    }

    /// Notes a request that failed `elapsed` into the run.
    mutating func fail(at elapsed: Duration) {
        guard let index = slot(elapsed) else { return }
        seconds[index].failed += 1
    }

    /// Adds another thread's seconds to these.
    mutating func merge(_ other: LoadTimeline) {
        while seconds.count < other.seconds.count { seconds.append(Second()) }
        for (index, second) in other.seconds.enumerated() {
            seconds[index].completed += second.completed
            seconds[index].failed += second.failed
            seconds[index].latency.add(second.latency)
        }
    }

    private mutating func slot(_ elapsed: Duration) -> Int? {
        let index = max(0, Int(elapsed.components.seconds))
        guard index < Self.maximumSeconds else { return nil }
        while seconds.count <= index { seconds.append(Second()) }
        return index
    }
}
