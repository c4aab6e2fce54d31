// Kernel-side zero copy (Linux): bytes that never enter user space, or are sent from user
// memory without a copy. Elsewhere each throws `.system(.notImplemented)` with a clear detail.

extension Socket {
    /// Moves the stream's bytes into another descriptor (a file, a pipe, another socket)
    /// inside the kernel, until end of stream or `limit` bytes: they never enter user space.
    ///
    /// Not one system call: it makes a pipe, then per chunk one `splice` from the socket into
    /// the pipe and one or more from the pipe into `descriptor`. The socket's timeout applies to
    /// each wait for data. Linux only.
    ///
    /// - Parameters:
    ///   - output: the descriptor the bytes go to; the caller owns it.
    ///   - limit: stop after this many bytes (`nil`: at end of stream).
    ///   - chunkSize: the most one `splice` moves (default 64 KiB).
    /// - Returns: how many bytes were moved.
    /// - Throws: ``SocketError``: `.system` (`.notImplemented` off Linux), `.timeout`; the
    ///   error's ``SocketError/bytesTransferred`` says how much was moved before it.
    ///
    /// The corresponding C functions are `pipe2` and `splice`.
    public borrowing func splice(
        into output: Int32, limit: Int? = nil, chunkSize: Int = 64 * 1024
    ) throws(SocketError) -> Int {
        guard chunkSize > 0 else { throw .invalid("splice", "chunk size must be positive") }
        // Owned like every other descriptor: both ends close exactly once, when this call ends.
        let pipe: (read: Int32, write: Int32)
        do throws(Errno) { pipe = try Sys.pipe() } catch {
            throw unsupportedOr(error, "pipe2", "splice needs Linux")
        }
        let pipeRead = OwnedDescriptor(pipe.read)
        let pipeWrite = OwnedDescriptor(pipe.write)
        defer {  // Both ends live until the call ends, then close with their owners.
            _ = pipeRead.descriptor
            _ = pipeWrite.descriptor
        }
        var moved = 0
        var deadline: Deadline? = nil
        do throws(SocketError) {
            while true {
                let wanted = min(chunkSize, (limit ?? Int.max) - moved)
                if wanted <= 0 { return moved }
                let inPipe = try withTimeout("splice", .readable, deadline: &deadline) { () throws(Errno) in
                    try Sys.splice(descriptor, pipe.write, wanted,
                                   Constants.splice_f_move | Constants.splice_f_more)
                }
                if inPipe == 0 { return moved }
                var drained = 0
                while drained < inPipe {
                    do throws(Errno) {
                        drained += try Sys.splice(pipe.read, output, inPipe - drained, Constants.splice_f_move)
                    } catch {
                        // The caller's descriptor: EBADF here (not open, or not writable) is their
                        // error to handle, not a bug of the socket's, so no trap.
                        throw SocketError(.system(error), operation: "splice", target: "descriptor \(output)",
                                          detail: error == .badDescriptor ? "the output descriptor is not open for writing" : nil)
                    }
                }
                moved += inPipe
            }
        } catch {
            var error = error
            if error.kind == .system(.notImplemented) { error.detail = "splice needs Linux" }
            error.bytesTransferred = moved
            throw error
        }
    }

    /// Sends `count` bytes of a file, from `offset`, inside the kernel: they never enter user
    /// space. Stops early at the end of the file.
    ///
    /// Not one system call: `sendfile` until all is sent. The socket's timeout applies to each
    /// wait for room. Linux only.
    ///
    /// - Parameters:
    ///   - file: an open, readable file descriptor; the caller owns it.
    ///   - offset: where in the file to start.
    ///   - count: how many bytes to send.
    /// - Returns: how many bytes were sent (less than `count` only at the end of the file).
    /// - Throws: ``SocketError``: `.system` (`.notImplemented` off Linux), `.timeout`; the
    ///   error's ``SocketError/bytesTransferred`` says how much was sent before it.
    ///
    /// The corresponding C function is `sendfile`.
    public borrowing func sendFile(
        _ file: Int32, offset: Int64 = 0, count: Int
    ) throws(SocketError) -> Int {
        guard count >= 0, offset >= 0 else {
            throw .invalid("sendfile", "offset and count must not be negative")
        }
        try Self.checkReadable(file)
        var position = offset
        var sent = 0
        var deadline: Deadline? = nil
        do throws(SocketError) {
            while sent < count {
                let chunk = try withTimeout("sendfile", .writable, deadline: &deadline) { () throws(Errno) in
                    try Sys.sendFile(descriptor, file, offset: &position, count - sent)
                }
                if chunk == 0 { break }
                sent += chunk
            }
        } catch {
            var error = error
            if error.kind == .system(.notImplemented) { error.detail = "sendfile needs Linux" }
            error.bytesTransferred = sent
            throw error
        }
        return sent
    }

    /// Checks that the caller's `file` is open for reading, so that `EBADF` from `sendfile`
    /// afterwards can only be the library's own bug.
    private static func checkReadable(_ file: Int32) throws(SocketError) {
        let flags: Int32
        do throws(Errno) { flags = try Sys.fcntl(file, Constants.f_getfl) } catch {
            throw SocketError(.system(error), operation: "sendfile", target: "file descriptor \(file)",
                              detail: error == .badDescriptor ? "the file descriptor is not open" : nil)
        }
        guard flags & Constants.o_accmode != Constants.o_wronly else {
            throw SocketError(.system(.badDescriptor), operation: "sendfile",
                              target: "file descriptor \(file)", detail: "the file is not open for reading")
        }
    }

    /// Whether `MSG_ZEROCOPY` sends are allowed on this socket (`SO_ZEROCOPY`, Linux 4.14+).
    public var zeroCopy: Bool {
        get throws(SocketError) { try boolOption(Constants.sol_socket, Constants.so_zerocopy, "SO_ZEROCOPY") }
    }
    /// Sets ``zeroCopy``.
    ///
    /// - Parameter on: whether `MSG_ZEROCOPY` sends are allowed.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(SO_ZEROCOPY)`.
    public borrowing func setZeroCopy(_ on: Bool) throws(SocketError) {
        try setBoolOption(Constants.sol_socket, Constants.so_zerocopy, "SO_ZEROCOPY", on)
    }

    /// Sends from caller memory with `MSG_ZEROCOPY`: the kernel pins the pages instead of
    /// copying them, so the memory must stay unchanged until a ``zeroCopyCompletion()`` covers
    /// this send's id (ids count from 0 per socket). Needs ``setZeroCopy(_:)`` first.
    ///
    /// Worth it only for large sends (tens of KiB and up) to a real network; on loopback the
    /// kernel copies anyway. Prefer ``sendAllZeroCopy(_:)``, which does the bookkeeping.
    ///
    /// - Parameter buffer: the bytes; keep them unchanged until their completion.
    /// - Returns: how many bytes the kernel took.
    /// - Throws: ``SocketError``: `.system` (`.notSupported` without ``setZeroCopy(_:)``,
    ///   `.noBufferSpace` past the locked-memory limit), `.timeout`, `.wouldBlock`.
    ///
    /// The corresponding C function is `send` with `MSG_ZEROCOPY`.
    public borrowing func sendZeroCopy(_ buffer: UnsafeRawBufferPointer) throws(SocketError) -> Int {
        try send(buffer, flags: MessageFlags(rawValue: Constants.msg_zerocopy))
    }

    /// Reads one zero-copy completion from the socket's error queue, or `nil` if none waits.
    /// - Throws: ``SocketError`` of kind `.system` (`.notImplemented` off Linux).
    ///
    /// The corresponding C function is `recvmsg` with `MSG_ERRQUEUE`.
    public borrowing func zeroCopyCompletion() throws(SocketError) -> ZeroCopyCompletion? {
        do throws(Errno) {
            let done = try Sys.zeroCopyCompletion(descriptor)
            return ZeroCopyCompletion(ids: done.first...max(done.first, done.last), copied: done.copied)
        } catch {
            if error == .wouldBlock { return nil }
            throw unsupportedOr(error, "recvmsg", "MSG_ZEROCOPY needs Linux")
        }
    }

    /// Sends all of borrowed memory with `MSG_ZEROCOPY` and returns only when the kernel is
    /// done with it, so the caller may reuse the memory at once. Turns `SO_ZEROCOPY` on; where
    /// the kernel refuses it, falls back to an ordinary ``sendAll(_:flags:)-(RawSpan,_)``.
    ///
    /// Not one system call: one `send` per partial write, then `poll` and `recvmsg(MSG_ERRQUEUE)`
    /// until every send is reported complete. Do not mix with other zero-copy sends on the
    /// same socket while it runs.
    ///
    /// - Parameter bytes: the bytes to send; borrowed until the call returns.
    /// - Returns: whether the kernel really sent without copying (false on loopback, and on
    ///   the fallback path).
    /// - Throws: ``SocketError`` whose ``SocketError/bytesTransferred`` says how much was sent.
    public borrowing func sendAllZeroCopy(_ bytes: RawSpan) throws(SocketError) -> Bool {
        do throws(SocketError) { try setZeroCopy(true) } catch {
            try sendAll(bytes)
            return false
        }
        return try bytes.withUnsafeBytes { (buffer) throws(SocketError) -> Bool in
            var sent = 0
            var sends: UInt32 = 0
            var deadline: Deadline? = nil
            while sent < buffer.count {
                do throws(SocketError) {
                    sent += try send(UnsafeRawBufferPointer(rebasing: buffer[sent...]),
                                     flags: MessageFlags(rawValue: Constants.msg_zerocopy), deadline: &deadline)
                    sends += 1
                } catch {
                    var error = error
                    error.bytesTransferred = sent
                    throw error
                }
            }
            var completed: UInt32 = 0
            var allZeroCopy = true
            while completed < sends {
                if let done = try zeroCopyCompletion() {
                    completed += done.ids.upperBound - done.ids.lowerBound + 1
                    allZeroCopy = allZeroCopy && !done.copied
                } else {
                    try waitForErrorQueue(deadline: deadline)
                }
            }
            return allZeroCopy
        }
    }

    /// Waits until the error queue has something (poll reports POLLERR), within the socket's
    /// timeout.
    private borrowing func waitForErrorQueue(deadline: Deadline?) throws(SocketError) {
        var end = deadline
        if end == nil, case .after(let duration) = timeout { end = Deadline.after(duration) }
        if let end, end.hasPassed {
            throw SocketError(.timeout, operation: "recvmsg", detail: "zero-copy completion timed out")
        }
        let milliseconds = end?.pollMilliseconds ?? -1
        do throws(Errno) {
            _ = try Sys.poll(descriptor, events: 0, timeoutMilliseconds: milliseconds)
        } catch {
            if error != .interrupted { throw .system(error, "poll") }
        }
    }

    /// `ENOSYS` as a clear "unsupported" error, anything else as it is.
    private func unsupportedOr(_ errno: Errno, _ operation: String, _ detail: String) -> SocketError {
        if errno == .notImplemented {
            return SocketError(.system(errno), operation: operation, detail: detail)
        }
        return .system(errno, operation)
    }
}
