// The one waiting policy of every async operation: try the call; suspend only on EAGAIN.

import Sockets

extension AsyncSocket {
    /// Runs `call` under the socket's timeout: returns its result, throws `.wouldBlock` when
    /// the socket is non-blocking or `flags` has `.dontWait`, or suspends until the reactor
    /// reports readiness and tries again. `deadline` is shared with the caller's other waits.
    /// `call` returns a count, or `-errno` (the `Sys.…OrErrno` calls): a call that would block is
    /// the common case here, so it is a value, not a thrown error. When the call succeeds at
    /// once, nothing else happens: no clock read, no lock.
    ///
    /// On a stream socket, a call that moved fewer than `wanted` bytes (but some) proves the
    /// queue drained (or the send buffer full) at that moment; until the reactor reports new
    /// readiness, the next operation in that direction waits without the system call that
    /// would only fail with EAGAIN.
    ///
    /// On the reactor's thread, a job that has completed ``Reactor/operationBudget`` operations
    /// without waiting yields the thread once, so that a socket whose data never runs out
    /// cannot starve the other sockets and timers.
    @inline(__always)
    func perform(
        _ operation: StaticString, _ direction: Direction, flags: MessageFlags = [], wanted: Int = 0,
        deadline: inout Deadline?, _ call: () -> Int
    ) async throws(SocketError) -> Int {
        while true {
            let seen = registration.sequence(direction)
            if registration.isKnownUnready(direction, at: seen) && !flags.contains(.dontWait)
                && timeout != .nonBlocking {
                try await suspend(operation, direction, after: seen, flags: flags, deadline: &deadline)
                continue
            }
            let result = call()
            if result >= 0 {
                if result > 0 && result < wanted && registration.isStream { registration.noteUnready(direction, at: seen) }
                if registration.reactor.spendBudget() { await registration.reactor.yield() }
                return result
            }
            let error = Errno(rawValue: Int32(-result))
            guard error == .wouldBlock else { throw failure(error, operation) }
            try await suspend(operation, direction, after: seen, flags: flags, deadline: &deadline)
        }
    }

    /// The slow path after `EAGAIN`: throws, or waits for readiness.
    @inline(never)
    borrowing func suspend(
        _ operation: StaticString, _ direction: Direction, after seen: UInt64, flags: MessageFlags,
        deadline: inout Deadline?
    ) async throws(SocketError) {
        if flags.contains(.dontWait) || timeout == .nonBlocking {
            throw SocketError(.wouldBlock, operation: operation.description)
        }
        if deadline == nil, case .after(let duration) = timeout { deadline = Deadline.after(duration) }
        switch await registration.wait(direction, after: seen, deadline: deadline) {
        case .ready:
            return
        case .timedOut:
            var limit = Duration.zero
            if case .after(let duration) = timeout { limit = duration }
            throw SocketError(.timeout, operation: operation.description, target: peerText,
                              detail: "timed out after \(limit)")
        case .cancelled:
            throw SocketError(.cancelled, operation: operation.description, target: peerText)
        case .closed:
            throw Self.closedError(operation.description)
        case .busy:
            throw Self.busyError(operation.description, direction)
        }
    }

    /// The error of an operation on a closed socket.
    static func closedError(_ operation: String) -> SocketError {
        SocketError(.system(.badDescriptor), operation: operation, detail: "the socket was closed")
    }

    /// The error of a second task waiting in the same direction.
    static func busyError(_ operation: String, _ direction: Direction) -> SocketError {
        SocketError(.system(.alreadyInProgress), operation: operation,
                    detail: "another task is already waiting to \(direction == .read ? "receive on" : "send on") this socket")
    }
}
