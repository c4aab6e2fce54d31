// Receiving on the io_uring backend: try the call first, as on epoll; when it would block, the
// receive goes to the kernel with the caller's buffer and the task resumes with the count
// (no readiness round trip, no second recv). Only on the reactor's thread, where filling the
// submission costs no system call: the reactor's next io_uring_enter submits it.

import Sockets

extension AsyncSocket {
    /// A plain stream receive on the io_uring backend, or `nil` when it should take the
    /// readiness path instead (`.dontWait`, a non-blocking socket, or too many operations in
    /// flight).
    func receiveByCompletion(
        _ ring: IOURingPoller, _ buffer: UnsafeMutableRawBufferPointer, flags: MessageFlags
    ) async throws(SocketError) -> Int? {
        guard !flags.contains(.dontWait), timeout != .nonBlocking else { return nil }
        let descriptor = registration.descriptor
        let seen = registration.sequence(.read)
        if !registration.isKnownUnready(.read, at: seen) {
            let result = Sys.recvOrErrno(descriptor, buffer.baseAddress!, buffer.count, flags.rawValue)
            if result >= 0 {
                if result > 0 && result < buffer.count { registration.noteUnready(.read, at: seen) }
                if registration.reactor.spendBudget() { await registration.reactor.yield() }
                return result
            }
            let error = Errno(rawValue: Int32(-result))
            guard error == .wouldBlock else { throw failure(error, "recv") }
        }
        guard let reserved = ring.reserve() else { return nil }
        var deadline: Deadline? = nil
        var limit = Duration.zero
        if case .after(let duration) = timeout {
            deadline = .after(duration)
            limit = duration
        }
        try begin(ring, reserved, .read, "recv", deadline: deadline)
        let result = await ring.receive(reserved, descriptor, into: buffer, flags: flags.rawValue)
        let timedOut = registration.endCompletion(.read)
        if result == 0 && registration.isClosed { throw Self.closedError("recv") }  // Its shutdown, not the peer's.
        if result >= 0 { return Int(result) }
        throw completionError(result, "recv", timedOut: timedOut, limit: limit)
    }

    /// Marks the operation in the `reserved` slot in flight in `direction` (it counts as the
    /// direction's waiter, and its deadline gets a timer); on a closed socket or with another
    /// waiter, frees the slot and throws the error `operation` gets then.
    func begin(
        _ ring: IOURingPoller, _ reserved: (slot: Int, userData: UInt64), _ direction: Direction,
        _ operation: StaticString, deadline: Deadline?
    ) throws(SocketError) {
        switch registration.beginCompletion(direction, userData: reserved.userData, deadline: deadline) {
        case .closed?:
            ring.release(reserved)
            throw Self.closedError(operation.description)
        case .some:
            ring.release(reserved)
            throw Self.busyError(operation.description, direction)
        case nil:
            registration.reactor.noteSuspension()
        }
    }

    /// The error of an operation that completed with -errno `result`: a cancellation is the
    /// timeout when its timer fired (`timedOut`, after `limit`), the task's otherwise.
    func completionError(_ result: Int32, _ operation: StaticString, timedOut: Bool, limit: Duration) -> SocketError {
        guard result == IOURingCompletion.cancelledResult else { return failure(Errno(rawValue: -result), operation) }
        if timedOut {
            return SocketError(.timeout, operation: operation.description, target: peerText,
                               detail: "timed out after \(limit)")
        }
        return SocketError(.cancelled, operation: operation.description, target: peerText)
    }
}

extension AsyncSocket {
    /// A plain stream send on the io_uring backend, on the reactor's thread: a SEND submission
    /// that goes in with the reactor's next io_uring_enter, with no system call of its own.
    /// `nil` when it should take the readiness path instead (`.dontWait` or other flags, a
    /// non-blocking socket, or too many operations in flight).
    func sendByCompletion(
        _ ring: IOURingPoller, _ buffer: UnsafeRawBufferPointer, deadline: inout Deadline?
    ) async throws(SocketError) -> Int? {
        guard timeout != .nonBlocking, let reserved = ring.reserve() else { return nil }
        var limit = Duration.zero
        if case .after(let duration) = timeout {
            limit = duration
            if deadline == nil { deadline = .after(duration) }
        }
        try begin(ring, reserved, .write, "send", deadline: deadline)
        let result = await ring.send(reserved, registration.descriptor, from: buffer, flags: 0)
        let timedOut = registration.endCompletion(.write)
        if result >= 0 { return Int(result) }
        if result == IOURingCompletion.ringFullResult { return nil }
        throw completionError(result, "send", timedOut: timedOut, limit: limit)
    }
}

extension AsyncSocket {
    /// How a multishot receive ended, for the loop that consumed it.
    private enum StreamEnd {
        /// End of stream.
        case end
        /// It stopped by itself: submit it again.
        case rearm
        /// Every provided buffer is in use (`ENOBUFS`): one receive into the caller's buffer,
        /// then submit it again.
        case dry
        /// The ring had no room, or too many operations are in flight: go on by readiness.
        case fallback
        /// It failed with this -errno.
        case failed(Int32)
    }

    /// The receive loop on the io_uring backend: a multishot receive whose chunks arrive in the
    /// library's provided buffers, each handed to `body` and then given back to the ring, with
    /// no readiness wait and no system call per chunk. When every provided buffer is in use
    /// (`ENOBUFS`: many busy sockets share them), one ordinary receive into the caller's
    /// `buffer` goes first and the multishot is submitted again: the stream never ends there.
    /// The socket's timeout counts from the latest chunk.
    ///
    /// - Returns: `true` at the end of stream; `false` when the readiness loop should go on
    ///   instead (no provided buffers, a full ring). `total` counts every byte `body` saw.
    /// - Throws: `SocketError`, with `bytesTransferred` = `total`, after `body` has seen
    ///   every byte the kernel delivered (a cancellation or timeout stops the receive first).
    func receiveAllByCompletion(
        _ ring: IOURingPoller, buffer: inout ReceiveBuffer, total: inout Int, _ body: (RawSpan) -> Void
    ) async throws(SocketError) -> Bool {
        guard timeout != .nonBlocking, let buffers = ring.streamBuffers() else { return false }
        let descriptor = registration.descriptor
        var limit: Duration? = nil
        if case .after(let duration) = timeout { limit = duration }
        let stream = IOURingStream(buffers: buffers.count)
        stream.timeout = limit.map { (registration, $0) }
        while true {
            guard let reserved = ring.reserve() else { return false }
            do throws(SocketError) {
                try begin(ring, reserved, .read, "recv", deadline: limit.map { .after($0) })
            } catch {
                throw error.counting(total)
            }
            let ended: StreamEnd = await withTaskCancellationHandler {
                ring.startStream(reserved, descriptor, buffers, into: stream)
                while true {
                    let arrival = await stream.next()
                    let completion = IOURingCompletion(result: arrival.result, flags: arrival.flags)
                    guard completion.result > 0 else {
                        if completion.result == 0 { return .end }
                        if completion.result == IOURingCompletion.noBuffersResult { return .dry }
                        if completion.result == IOURingCompletion.ringFullResult { return .fallback }
                        return .failed(completion.result)
                    }
                    if let id = completion.bufferID {
                        body(buffers.bytes(id, length: Int(completion.result)).bytes)
                        buffers.recycle(id)
                        total += Int(completion.result)  // (Its deadline moved as it arrived.)
                    }
                    if !completion.hasMore { return .rearm }
                }
            } onCancel: {
                ring.cancel(reserved.userData)
            }
            let timedOut = registration.endCompletion(.read)
            switch ended {
            case .rearm:
                ring.noteRearm()
                continue
            case .dry:
                // Data arrived to find no buffer, so it waits in the socket: one recv takes it.
                ring.noteRearm()
                buffer.removeAll()
                let free = buffer.freeSpace
                let result = Sys.recvOrErrno(descriptor, free.baseAddress!, free.count, 0)
                if result > 0 {
                    buffer.markFilled(result)
                    buffer.withBytes(body)
                    total += result
                } else if result == 0 {
                    if registration.isClosed { throw Self.closedError("recv").counting(total) }
                    return true
                } else if Errno(rawValue: Int32(-result)) != .wouldBlock {
                    throw failure(Errno(rawValue: Int32(-result)), "recv").counting(total)
                }
            case .fallback:
                return false
            case .end:
                if registration.isClosed { throw Self.closedError("recv").counting(total) }
                return true
            case .failed(let result):
                throw completionError(result, "recv", timedOut: timedOut, limit: limit ?? .zero).counting(total)
            }
        }
    }
}

extension SocketError {
    /// This error with `bytesTransferred` set to `count`.
    fileprivate func counting(_ count: Int) -> SocketError {
        var error = self
        error.bytesTransferred = count
        return error
    }
}
