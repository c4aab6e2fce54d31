// Vectored I/O: several caller buffers in one system call.

extension Socket {
    /// Sends from several borrowed buffers, in order, with one system call (gather); may send
    /// only part of them.
    ///
    /// Use it to send a header and a body without joining them. Cost: one `sendmsg`; the
    /// `iovec` array is built on the stack; no copy.
    ///
    /// - Parameters:
    ///   - buffers: the buffers, at most 1024 (`IOV_MAX`); empty ones are skipped.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes the kernel took, across the buffers in order.
    /// - Throws: ``SocketError``: `.system`, `.timeout`, `.wouldBlock`.
    ///
    /// The corresponding C function is `sendmsg` (with `MSG_NOSIGNAL` on Linux).
    public borrowing func send(
        vectors buffers: [UnsafeRawBufferPointer], flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        return try sendVectored(buffers, skip: 0, flags: flags, deadline: &deadline)
    }

    /// Sends every byte of several borrowed buffers, resuming partial vectored writes in the
    /// middle of whichever buffer they stopped in.
    ///
    /// Cost: one `sendmsg` per partial write; no copy, no allocation. On failure the error's
    /// ``SocketError/bytesTransferred`` says how much was sent.
    ///
    /// - Parameters:
    ///   - buffers: the buffers, in order, at most 1024.
    ///   - flags: `MSG_*` flags.
    /// - Throws: ``SocketError`` with ``SocketError/bytesTransferred``: `.system`, `.timeout`,
    ///   `.wouldBlock`.
    ///
    /// The corresponding C function is `sendmsg` (with `MSG_NOSIGNAL` on Linux).
    public borrowing func sendAll(
        vectors buffers: [UnsafeRawBufferPointer], flags: MessageFlags = []
    ) throws(SocketError) {
        let total = buffers.reduce(0) { $0 + $1.count }
        var deadline: Deadline? = nil
        var sent = 0
        while sent < total {
            do throws(SocketError) {
                sent += try sendVectored(buffers, skip: sent, flags: flags, deadline: &deadline)
            } catch {
                var error = error
                error.bytesTransferred = sent
                throw error
            }
        }
    }

    /// Receives into several caller buffers, filling them in order, with one system call
    /// (scatter).
    ///
    /// Use it to land a fixed-size header and its payload in separate buffers. Cost: one
    /// `recvmsg`; no copy.
    ///
    /// - Parameters:
    ///   - buffers: the buffers, at most 1024; together they must not be empty.
    ///   - flags: `MSG_*` flags, such as `.peek` or `.waitAll`.
    /// - Returns: how many bytes arrived across the buffers; 0 means the peer closed.
    /// - Throws: ``SocketError``: `.system`, `.timeout`, `.wouldBlock`, and
    ///   `.system(.invalidArgument)` when the buffers hold no space at all.
    ///
    /// The corresponding C function is `recvmsg`.
    public borrowing func receive(
        vectors buffers: [UnsafeMutableRawBufferPointer], flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        guard buffers.contains(where: { $0.count > 0 }) else {
            throw .invalid("recvmsg", "the buffers hold no space: nothing can be received")
        }
        guard buffers.count <= Self.maxVectors else {
            throw .invalid("recvmsg", "\(buffers.count) buffers, more than \(Self.maxVectors)")
        }
        var deadline: Deadline? = nil
        return try withTimeout("recvmsg", .readable, flags: flags, deadline: &deadline) { () throws(Errno) in
            try Sys.receiveVectored(descriptor, buffers, flags.rawValue)
        }
    }

    /// The most buffers one vectored call takes (`IOV_MAX` on Linux and Darwin).
    public static let maxVectors = 1024

    /// One `sendmsg` of `buffers` past their first `skip` bytes, under the timeout.
    package borrowing func sendVectored(
        _ buffers: [UnsafeRawBufferPointer], skip: Int, flags: MessageFlags,
        deadline: inout Deadline?
    ) throws(SocketError) -> Int {
        guard buffers.count <= Self.maxVectors else {
            throw .invalid("sendmsg", "\(buffers.count) buffers, more than \(Self.maxVectors)")
        }
        return try withTimeout("sendmsg", .writable, flags: flags, deadline: &deadline) { () throws(Errno) in
            try Sys.sendVectored(descriptor, buffers, skip: skip, flags.rawValue)
        }
    }
}
