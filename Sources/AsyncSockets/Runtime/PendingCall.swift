// One suspended caller and the several events that race to resume it.

import Sockets

/// A caller resumed exactly once, by the first of its outcomes: a blocking call's result, its
/// deadline or its cancellation (``BlockingPool``); a sleep's deadline or its cancellation
/// (``AsyncRuntime/sleep(until:)``).
final class PendingCall<T: Sendable>: @unchecked Sendable {
    private struct State {
        var continuation: UnsafeContinuation<Result<T, SocketError>, Never>?
        /// The outcome that came before the continuation was installed (a cancellation).
        var early: Result<T, SocketError>?
        var finished = false
    }

    private let state = Locked(State())

    /// Installs the waiting caller; `false` (having resumed it) when the outcome came first.
    func install(_ continuation: UnsafeContinuation<Result<T, SocketError>, Never>) -> Bool {
        let early: Result<T, SocketError>? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early {
            continuation.resume(returning: early)
            return false
        }
        return true
    }

    /// The first outcome resumes the caller; later ones are dropped.
    func finish(_ outcome: Result<T, SocketError>) {
        let continuation: UnsafeContinuation<Result<T, SocketError>, Never>? = state.withLock { state in
            if state.finished { return nil }
            state.finished = true
            if state.continuation == nil { state.early = outcome }
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: outcome)
    }
}
