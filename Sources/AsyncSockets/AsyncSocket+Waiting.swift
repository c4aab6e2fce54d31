// The one waiting policy of every async operation: try the call; suspend only on EAGAIN.

import Sockets

extension AsyncSocket {
    /// Runs `call` under the socket's timeout: returns its result, throws `.wouldBlock` when
    /// the socket is non-blocking or `flags` has `.dontWait`, or suspends until the reactor
    /// reports readiness and tries again. `deadline` is shared with the caller's other waits.
    /// When the call succeeds at once, nothing else happens: no clock read, no lock.
    @inline(__always)
    borrowing func perform<R>(
        _ operation: StaticString, _ direction: Direction, flags: MessageFlags = [],
        deadline: inout Deadline?, _ call: () throws(Errno) -> R
    ) async throws(SocketError) -> R {
        while true {
            let seen = registration.sequence(direction)
            do throws(Errno) {
                return try call()
            } catch {
                guard error == .wouldBlock else { throw failure(error, operation) }
            }
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
        }
    }
}
