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
        switch registration.beginCompletion(.read, userData: reserved.userData, deadline: deadline) {
        case .closed?:
            ring.release(reserved)
            throw Self.closedError("recv")
        case .some:
            ring.release(reserved)
            throw Self.busyError("recv", .read)
        case nil:
            break
        }
        registration.reactor.noteSuspension()
        let result = await ring.receive(reserved, descriptor, into: buffer, flags: flags.rawValue)
        let timedOut = registration.endCompletion(.read)
        if result >= 0 { return Int(result) }
        if result == IOURingCompletion.cancelledResult {
            if timedOut {
                throw SocketError(.timeout, operation: "recv", target: peerText, detail: "timed out after \(limit)")
            }
            throw SocketError(.cancelled, operation: "recv", target: peerText)
        }
        throw failure(Errno(rawValue: -result), "recv")
    }
}
