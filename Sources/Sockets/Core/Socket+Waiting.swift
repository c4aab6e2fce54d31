// The timeout policy shared by every operation: try the call first, and wait with `poll`
// only when it would block.

extension Socket {
    /// The events a call waits for.
    enum Readiness {
        case readable, writable

        var events: Int16 { self == .readable ? Constants.pollin : Constants.pollout }
    }

    /// Runs `call` under the socket's timeout: returns its result, or on `EAGAIN` throws
    /// `.wouldBlock` (non-blocking, or `flags` has `.dontWait`), or waits until ready and tries
    /// again (a duration), sharing `deadline` with the caller's other waits. When the call
    /// succeeds at once, nothing else happens: no clock read, no `poll`.
    @inline(__always)
    borrowing func withTimeout<R>(
        _ operation: StaticString, _ readiness: Readiness, flags: MessageFlags = [],
        deadline: inout Deadline?, _ call: () throws(Errno) -> R
    ) throws(SocketError) -> R {
        while true {
            do throws(Errno) {
                return try call()
            } catch {
                try recover(from: error, operation, readiness, flags: flags, deadline: &deadline)
            }
        }
    }

    /// The slow path after a failed call: throws, or waits until the call may succeed.
    @inline(never)
    borrowing func recover(
        from errno: Errno, _ operation: StaticString, _ readiness: Readiness, flags: MessageFlags,
        deadline: inout Deadline?
    ) throws(SocketError) {
        guard errno == .wouldBlock else { throw failure(errno, operation) }
        try waitAfterWouldBlock(operation, readiness, flags: flags, deadline: &deadline)
    }

    /// What to do after `EAGAIN`, per the call's flags and the socket's timeout: throw, or wait
    /// for readiness.
    @inline(never)
    borrowing func waitAfterWouldBlock(
        _ operation: StaticString, _ readiness: Readiness, flags: MessageFlags = [],
        deadline: inout Deadline?
    ) throws(SocketError) {
        // The call itself asked not to wait: EAGAIN is the answer, whatever the timeout.
        if flags.contains(.dontWait) {
            throw SocketError(.wouldBlock, operation: operation.description)
        }
        switch timeout {
        case .nonBlocking:
            throw SocketError(.wouldBlock, operation: operation.description)
        case .blocking:
            // Without MSG_DONTWAIT, a blocking socket says EAGAIN when the kernel's own timeout
            // (SO_RCVTIMEO/SO_SNDTIMEO) expired, or when O_NONBLOCK was set behind the library's
            // back (through withUnsafeDescriptor). The option tells which.
            let name = readiness == .readable ? Constants.so_rcvtimeo : Constants.so_sndtimeo
            guard let kernelTimeout = (try? Sys.timevalOption(descriptor, name)) ?? nil else {
                throw SocketError(.wouldBlock, operation: operation.description,
                                  detail: "operation would block (the descriptor is non-blocking)")
            }
            throw SocketError(.timeout, operation: operation.description, target: peerText,
                              detail: "timed out after \(kernelTimeout) (\(readiness == .readable ? "SO_RCVTIMEO" : "SO_SNDTIMEO"))")
        case .after(let duration):
            let end = deadline ?? Deadline.after(duration)
            deadline = end
            try wait(for: readiness, until: end, operation: operation.description, limit: duration)
        }
    }

    /// Waits until the socket is ready or `deadline` passes (then throws `.timeout`). Readiness
    /// includes errors and hang-ups: the next call reports them. `nil` waits forever.
    borrowing func wait(
        for readiness: Readiness, until deadline: Deadline?, operation: String, limit: Duration
    ) throws(SocketError) {
        while true {
            var milliseconds: Int32 = -1
            if let deadline {
                guard !deadline.hasPassed else {
                    throw SocketError(.timeout, operation: operation, target: peerText,
                                      detail: "timed out after \(limit)")
                }
                milliseconds = deadline.pollMilliseconds
            }
            do throws(Errno) {
                if try Sys.poll(descriptor, events: readiness.events,
                                timeoutMilliseconds: milliseconds) != 0 {
                    return
                }
            } catch {
                if error != .interrupted { throw .system(error, "poll") }
            }
        }
    }

    /// A failed call as an error naming the peer, where the socket has one.
    @inline(never)
    package borrowing func failure(_ errno: Errno, _ operation: StaticString) -> SocketError {
        .system(errno, operation.description, peerText)
    }

    /// The peer's address as text, or `nil`; only ever read on an error path.
    package var peerText: String? {
        (try? Sys.remoteAddress(descriptor))??.description
    }
}
