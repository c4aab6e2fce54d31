// A point in monotonic time, as plain nanoseconds: cheap to make, copy and compare, so the
// I/O paths can carry one without touching the standard library's resilient clock types.

/// A monotonic point in time, for timeouts.
package struct Deadline: Comparable, Sendable {
    /// Nanoseconds on the monotonic clock.
    package var nanoseconds: Int64

    /// The present moment.
    package static var now: Deadline { Deadline(nanoseconds: Sys.monotonicNanoseconds()) }

    /// The moment `duration` from now; a duration past the clock's range gives the last (or
    /// first) moment it has, never one on the other side of now.
    package static func after(_ duration: Duration) -> Deadline {
        let (sum, overflow) = Sys.monotonicNanoseconds().addingReportingOverflow(duration.nanoseconds)
        if overflow { return Deadline(nanoseconds: duration < .zero ? .min : .max) }
        return Deadline(nanoseconds: sum)
    }

    /// The nanoseconds left until this moment (negative once it has passed), saturating.
    private var left: Int64 {
        let (difference, overflow) = nanoseconds.subtractingReportingOverflow(Sys.monotonicNanoseconds())
        if overflow { return nanoseconds < 0 ? .min : .max }
        return difference
    }

    /// The time left until this moment (negative once it has passed).
    package var remaining: Duration { .nanoseconds(left) }

    /// Whether this moment has come.
    package var hasPassed: Bool { Sys.monotonicNanoseconds() >= nanoseconds }

    /// The time left in nanoseconds for the reactor's wait, never negative.
    package var pollNanoseconds: Int64 { max(0, left) }

    /// The time left in whole milliseconds for `poll`, rounded up, never negative.
    package var pollMilliseconds: Int32 {
        let left = self.left
        return left <= 0 ? 0 : Int32(clamping: left / 1_000_000 + (left % 1_000_000 == 0 ? 0 : 1))
    }

    package static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
