// The error queue of a datagram socket: ICMP errors about earlier sends, read back as values.

extension Socket {
    /// Takes the oldest error from the socket's error queue, or returns `nil` if it is empty.
    /// Never waits.
    ///
    /// Turn the queue on first with ``setReceiveErrors(_:)``: then a datagram that draws an
    /// ICMP error (port or host unreachable, fragmentation needed) or a local error (over the
    /// path MTU) leaves an entry naming the destination, who reported it and, for size errors,
    /// the MTU. The kernel also reports the error once to the next call on the socket (as
    /// `ECONNREFUSED`, `EHOSTUNREACH`, ...); the queue keeps the details.
    ///
    /// Zero-copy completions (``sendZeroCopy(_:)``) share the queue; this call skips them.
    ///
    /// - Returns: the error, or `nil` when none is queued.
    /// - Throws: ``SocketError`` of kind `.system` if the queue cannot be read.
    ///
    /// The corresponding C function is `recvmsg` with `MSG_ERRQUEUE`.
    public borrowing func nextQueuedError() throws(SocketError) -> QueuedError? {
        do throws(Errno) { return try Sys.queuedError(descriptor) } catch {
            throw failure(error, "recvmsg(MSG_ERRQUEUE)")
        }
    }
}
