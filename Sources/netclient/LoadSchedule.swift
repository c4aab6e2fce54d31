// `netclient load -R`: the open loop's timetable. Requests are due at a constant rate from the
// run's start, request k at k/R seconds, dealt out in turn to the connections (request k to
// connection k mod c), so each connection sends at R/c per second, staggered evenly. A
// connection that is behind sends its next request at once; its latency still counts from
// when the request was due, as wrk2 counts it, so a stalled server cannot hide.

/// When each request of an open-loop run is due.
struct LoadSchedule: Sendable {
    /// The run's start: request 0 is due then.
    let start: ContinuousClock.Instant
    /// Requests per second, over the whole run.
    let rate: Double
    /// How many requests are due in all: `-n`, or the rate times `-d`.
    let total: Int

    /// The schedule of `total` requests at `rate` per second from `start`.
    init(start: ContinuousClock.Instant, rate: Double, total: Int) {
        self.start = start
        self.rate = rate
        self.total = total
    }

    /// The schedule of the requests due in the `duration` from `start`: those due before it ends.
    init(start: ContinuousClock.Instant, rate: Double, duration: Duration) {
        self.init(start: start, rate: rate, total: max(1, Int((rate * duration.seconds).rounded(.up))))
    }

    /// When request `ticket` (0-based, over the whole run) is due.
    func due(_ ticket: Int) -> ContinuousClock.Instant {
        start + .nanoseconds(Int64((Double(ticket) * 1e9 / rate).rounded()))
    }

    /// How long the timetable runs: from the start to when its last request is due, plus one
    /// interval (the time the achieved rate is counted over).
    var span: Duration { .nanoseconds(Int64((Double(total) * 1e9 / rate).rounded())) }
}
