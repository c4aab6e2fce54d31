// A point in monotonic time, as plain nanoseconds: cheap to make, copy and compare, so the
// I/O paths can carry one without touching the standard library's resilient clock types.

/// A monotonic point in time, for timeouts.
package struct Deadline: Comparable, Sendable {
    /// Nanoseconds on the monotonic clock.
    package var nanoseconds: Int64

    /// The present moment.
    package static var now: Deadline { Deadline(nanoseconds: Sys.monotonicNanoseconds()) }

    /// The moment `duration` from now.
    package static func after(_ duration: Duration) -> Deadline {
        Deadline(nanoseconds: Sys.monotonicNanoseconds().addingReportingOverflow(duration.nanoseconds).partialValue)
    }

    /// The time left until this moment (negative once it has passed).
    package var remaining: Duration { .nanoseconds(nanoseconds - Sys.monotonicNanoseconds()) }

    /// Whether this moment has come.
    package var hasPassed: Bool { Sys.monotonicNanoseconds() >= nanoseconds }

    /// The time left in whole milliseconds for `poll`, rounded up, never negative.
    package var pollMilliseconds: Int32 {
        let left = nanoseconds - Sys.monotonicNanoseconds()
        return left <= 0 ? 0 : Int32(clamping: (left + 999_999) / 1_000_000)
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
