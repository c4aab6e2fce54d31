// One multishot receive's completions, from the reactor's reaping to the receive loop that
// consumes them: the kernel fills provided buffers as data arrives and posts a completion for
// each, with no readiness round trip and no system call per receive.

import Sockets

/// The completions of one multishot receive, queued in arrival order until its receive loop
/// takes them. The reactor's thread only: it reaps them, and the loop (a task on the reactor's
/// executor) consumes them, so no lock is needed.
///
/// Allocated once per loop, with room for a completion per provided buffer and its final one:
/// the queue never grows, since a completion with data holds a buffer until the loop recycles it.
final class IOURingStream: @unchecked Sendable {
    /// One completion: the count (or -errno) and the `IORING_CQE_F_*` flags.
    struct Arrival {
        var result: Int32
        var flags: UInt32
    }

    private let arrivals: UnsafeMutablePointer<Arrival>
    private let capacity: Int
    private var head = 0
    private var count = 0
    /// The loop, when it waits for the next completion.
    private var waiter: UnsafeContinuation<Void, Never>?
    /// The receive's timeout, moved to count from each chunk as it arrives: by the reactor as it
    /// reaps, before it looks at its timers, so that a chunk that came in time wins over a
    /// deadline passing before the loop got to run (a busy reactor reaps and fires together).
    var timeout: (registration: Registration, limit: Duration)?

    /// A queue for a ring of `buffers` provided buffers.
    init(buffers: Int) {
        capacity = buffers + 2
        arrivals = .allocate(capacity: capacity)
    }

    deinit { arrivals.deallocate() }

    /// Queues a completion (the reactor, while reaping) and resumes the loop if it waits.
    func deliver(result: Int32, flags: UInt32) {
        if count < capacity {
            arrivals[(head + count) % capacity] = Arrival(result: result, flags: flags)
            count += 1
        }
        if result > 0, let timeout {
            timeout.registration.extendCompletion(.read, to: .after(timeout.limit))
        }
        if let waiter {
            self.waiter = nil
            waiter.resume()
        }
    }

    /// The oldest completion not yet taken, waiting for one if there is none.
    func next() async -> Arrival {
        while count == 0 {
            await withUnsafeContinuation { waiter = $0 }
        }
        let arrival = arrivals[head]
        head = (head + 1) % capacity
        count -= 1
        return arrival
    }
}
