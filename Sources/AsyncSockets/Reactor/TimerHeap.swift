// The reactor's timers: a binary min-heap of deadlines. A waiting direction arms one entry; a
// later wait with a later deadline reuses it (re-armed when it comes up). Entries of waits that
// ended early, or of closed sockets (held weakly), stay until their deadline and are dropped
// then, so the heap holds about one entry per socket per timeout period.

import Sockets

/// Deadlines of waiting operations, earliest first.
struct TimerHeap {
    /// One timer: when, and whose waiter to check.
    struct Entry {
        var deadline: Deadline
        /// Weak, so a pending timer never keeps a closed socket open.
        weak var registration: Registration?
        var direction: Direction
        /// What to run at the deadline instead, for a timer that is not a socket's (a blocking
        /// lookup's deadline).
        var action: (@Sendable () -> Void)? = nil
    }

    private var entries: [Entry] = []

    /// The earliest deadline, if any.
    var next: Deadline? { entries.isEmpty ? nil : entries[0].deadline }

    /// Adds a timer.
    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest timer if it is due at `now`.
    mutating func popDue(at now: Deadline) -> Entry? {
        guard !entries.isEmpty, entries[0].deadline <= now else { return nil }
        let first = entries[0]
        let last = entries.removeLast()
        guard !entries.isEmpty else { return first }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count && entries[right].deadline < entries[smallest].deadline { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
