// Sending and receiving on a connected async socket: raw memory, spans, the receive loop.

import Sockets

extension AsyncSocket {
    /// Receives into caller-owned memory, suspending until data arrives.
    ///
    /// When data is already waiting this is exactly one `recv` and no allocation; otherwise
    /// the task suspends (no thread blocks) until the reactor reports the socket readable.
    ///
    /// - Parameters:
    ///   - buffer: where the bytes go; must not be empty.
    ///   - flags: `MSG_*` flags; `.dontWait` throws `.wouldBlock` instead of suspending.
    /// - Returns: how many bytes arrived; 0 means the peer closed the connection (EOF).
    /// - Throws: `SocketError`: `.system` (`ECONNRESET`, ...), `.timeout`,
    ///   `.wouldBlock`, `.cancelled`, or `.system(.invalidArgument)` for an empty buffer.
    ///
    /// The corresponding C function is `recv`.
    public borrowing func receive(
        into buffer: UnsafeMutableRawBufferPointer, flags: MessageFlags = []
    ) async throws(SocketError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw SocketError(.system(.invalidArgument), operation: "recv",
                              detail: "zero-length buffer: nothing can be received into it")
        }
        var deadline: Deadline? = nil
        let descriptor = registration.descriptor
        // Only a plain read that came back short proves the queue drained (not a peek, and not
        // the rarer flags, which read other queues or stop early).
        let plain = flags.rawValue & ~(MessageFlags.dontWait.rawValue | MessageFlags.waitAll.rawValue) == 0
        let wanted = plain ? buffer.count : 0
        if plain, registration.isStream, let ring = registration.reactor.completions, registration.reactor.isCurrentThread,
           let count = try await receiveByCompletion(ring, buffer, flags: flags) {
            return count
        }
        return try await perform("recv", .read, flags: flags, wanted: wanted, deadline: &deadline) {
            Sys.recvOrErrno(descriptor, base, buffer.count, flags.rawValue)
        }
    }

    /// Receives into the free space of a `ReceiveBuffer` and marks it filled.
    ///
    /// - Parameters:
    ///   - buffer: the buffer; must have free capacity.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes arrived; 0 means EOF.
    /// - Throws: `SocketError` as ``receive(into:flags:)-(UnsafeMutableRawBufferPointer,_)``.
    ///
    /// The corresponding C function is `recv`.
    public borrowing func receive(
        into buffer: inout ReceiveBuffer, flags: MessageFlags = []
    ) async throws(SocketError) -> Int {
        let free = buffer.freeSpace
        let count = try await receive(into: free, flags: flags)
        buffer.markFilled(count)
        return count
    }

    /// Receives into the free space of an output span (caller-owned memory) and appends what
    /// arrived to it.
    ///
    /// - Parameters:
    ///   - output: where the bytes go; must have free capacity.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes arrived; 0 means EOF.
    /// - Throws: `SocketError` as ``receive(into:flags:)-(UnsafeMutableRawBufferPointer,_)``.
    ///
    /// The corresponding C function is `recv`.
    public borrowing func receive(
        into output: inout OutputRawSpan, flags: MessageFlags = []
    ) async throws(SocketError) -> Int {
        // The span's memory is the caller's and stays put while the span is borrowed here.
        let free = output.withUnsafeMutableBytes { buffer, initialized in
            UnsafeMutableRawBufferPointer(rebasing: buffer[initialized...])
        }
        let count = try await receive(into: free, flags: flags)
        output.withUnsafeMutableBytes { _, initialized in initialized += count }
        return count
    }

    /// Receives up to `maxCount` bytes into a new array: a convenience that allocates.
    ///
    /// - Parameters:
    ///   - maxCount: the most bytes to return, 1 to `Socket.maxConvenienceCount`.
    ///   - flags: `MSG_*` flags.
    /// - Returns: the bytes; empty means EOF.
    /// - Throws: `SocketError` as ``receive(into:flags:)-(UnsafeMutableRawBufferPointer,_)``.
    ///
    /// The corresponding C function is `recv`.
    public borrowing func receive(maxCount: Int, flags: MessageFlags = []) async throws(SocketError) -> [UInt8] {
        guard maxCount > 0, maxCount <= Socket.maxConvenienceCount else {
            throw SocketError(.system(.invalidArgument), operation: "recv",
                              detail: "maxCount must be 1 to \(Socket.maxConvenienceCount), not \(maxCount)")
        }
        var buffer = ReceiveBuffer(capacity: maxCount)
        _ = try await receive(into: &buffer, flags: flags)
        return buffer.withBytes { span in span.withUnsafeBytes { Array($0) } }
    }

    /// Sends from caller-owned memory; may send only part of it.
    ///
    /// - Parameters:
    ///   - buffer: the bytes to send.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes the kernel took.
    /// - Throws: `SocketError`: `.system` (`EPIPE`, never a signal), `.timeout`,
    ///   `.wouldBlock`, `.cancelled`.
    ///
    /// The corresponding C function is `send` (with `MSG_NOSIGNAL`).
    public borrowing func send(
        _ buffer: UnsafeRawBufferPointer, flags: MessageFlags = []
    ) async throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        return try await send(buffer, flags: flags, deadline: &deadline)
    }

    /// Sends from borrowed memory; may send only part of it.
    ///
    /// - Parameters:
    ///   - bytes: the bytes to send.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes the kernel took.
    /// - Throws: `SocketError` as ``send(_:flags:)-(UnsafeRawBufferPointer,_)``.
    ///
    /// The corresponding C function is `send`.
    public borrowing func send(_ bytes: RawSpan, flags: MessageFlags = []) async throws(SocketError) -> Int {
        let raw = bytes.withUnsafeBytes { $0 }  // Valid for the span's lifetime, which spans this call.
        return try await send(raw, flags: flags)
    }

    /// Sends all of `buffer`, suspending while the socket cannot take more.
    ///
    /// Not one system call: a loop over partial writes, under one deadline. Allocates nothing.
    ///
    /// - Parameters:
    ///   - buffer: the bytes to send.
    ///   - flags: `MSG_*` flags.
    /// - Throws: `SocketError` whose `SocketError.bytesTransferred` says how
    ///   many bytes were sent before the failure, the timeout or the cancellation.
    ///
    /// The corresponding C function is `send`, in a loop.
    public borrowing func sendAll(
        _ buffer: UnsafeRawBufferPointer, flags: MessageFlags = []
    ) async throws(SocketError) {
        var deadline: Deadline? = nil
        var sent = 0
        while sent < buffer.count {
            do throws(SocketError) {
                sent += try await send(UnsafeRawBufferPointer(rebasing: buffer[sent...]), flags: flags,
                                       deadline: &deadline)
            } catch {
                var error = error
                error.bytesTransferred = sent
                throw error
            }
        }
    }

    /// Sends all of borrowed memory; see ``sendAll(_:flags:)-(UnsafeRawBufferPointer,_)``.
    ///
    /// - Parameters:
    ///   - bytes: the bytes to send.
    ///   - flags: `MSG_*` flags.
    /// - Throws: `SocketError` with `SocketError.bytesTransferred`.
    ///
    /// The corresponding C function is `send`, in a loop.
    public borrowing func sendAll(_ bytes: RawSpan, flags: MessageFlags = []) async throws(SocketError) {
        let raw = bytes.withUnsafeBytes { $0 }
        try await sendAll(raw, flags: flags)
    }

    /// Sends all of `bytes`, from their own storage when it is contiguous.
    ///
    /// - Parameters:
    ///   - bytes: the bytes to send.
    ///   - flags: `MSG_*` flags.
    /// - Throws: `SocketError` with `SocketError.bytesTransferred`.
    ///
    /// The corresponding C function is `send`, in a loop.
    public borrowing func sendAll(_ bytes: some Sequence<UInt8>, flags: MessageFlags = []) async throws(SocketError) {
        let array = Array(bytes)
        let raw = array.withUnsafeBytes { $0 }  // The array lives, unchanged, past the await.
        try await sendAll(raw, flags: flags)
        withExtendedLifetime(array) {}
    }

    /// One `send` under the timeout, sharing `deadline` with a caller's loop.
    borrowing func send(
        _ buffer: UnsafeRawBufferPointer, flags: MessageFlags, deadline: inout Deadline?
    ) async throws(SocketError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let descriptor = registration.descriptor
        let wanted = flags.rawValue & ~MessageFlags.dontWait.rawValue == 0 ? buffer.count : 0
        if flags.rawValue == 0, registration.isStream, let ring = registration.reactor.completions,
           registration.reactor.isCurrentThread {
            // io_uring: `send` first, as on epoll (a socket with room takes the bytes at once, no
            // submission); only one that is full goes to the kernel by completion.
            if !registration.isKnownUnready(.write, at: registration.sequence(.write)) {
                let result = Sys.sendOrErrno(descriptor, base, buffer.count, 0)
                if result >= 0 {
                    if registration.reactor.spendBudget() { await registration.reactor.yield() }
                    return result
                }
                let error = Errno(rawValue: Int32(-result))
                guard error == .wouldBlock else { throw failure(error, "send") }
            }
            if let count = try await sendByCompletion(ring, buffer, deadline: &deadline) {
                return count
            }
        }
        return try await perform("send", .write, flags: flags, wanted: wanted, deadline: &deadline) {
            Sys.sendOrErrno(descriptor, base, buffer.count, flags.rawValue)
        }
    }
}
