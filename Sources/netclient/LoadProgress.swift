// `netclient load`'s progress line: once a second, on a terminal only (stdout and stderr both,
// and no --json), the time so far, the rate over the last second, the p99 so far and the
// errors, redrawn in place on stderr and ended before the report.

import Sockets

/// The progress line of one run, drawn by a task of its own until the run ends.
struct LoadProgress {
    /// Whether to draw it: both outputs are terminals and no JSON was asked for.
    static func wanted(json: Bool) -> Bool {
        !json && Output.standardOutput.isTerminal && Output.standardError.isTerminal
    }

    /// Draws the line every second from `start`, reading the threads' figures, until cancelled;
    /// then clears it.
    static func run(start: ContinuousClock.Instant, statistics: [Locked<LoadStatistics>]) async {
        var lastCompleted = 0
        var lastTime = start
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { break }
            var completed = 0
            var failed = 0
            var latency = LoadStatistics.histogram()
            for figures in statistics {
                figures.withLock {
                    completed += $0.completed
                    failed += $0.failed
                    latency.add($0.total)
                }
            }
            let now = ContinuousClock.now
            let rate = Double(completed - lastCompleted) / max(lastTime.duration(to: now).seconds, 1e-9)
            lastCompleted = completed
            lastTime = now
            let p99 = latency.totalCount > 0 ? "\(fixed(Double(latency.valueAtPercentile(99)) / 1e6, 3)) ms" : "-"
            try? Output.standardError.write("\r\(fixed(start.duration(to: now).seconds, 0)) s: \(fixed(rate, 0)) requests/s, "
                                            + "p99 so far \(p99), \(failed) errors\u{1B}[K")
        }
        try? Output.standardError.write("\r\u{1B}[K")
    }
}
