// Datagrams with metadata and segmentation offload without blocking a thread: the blocking
// layer's calls, made with `.dontWait`, and a suspension whenever they would block.

import Sockets

extension AsyncSocket {
    /// Sends one datagram, or with `OutgoingDatagram.segmentSize` many at once, with its
    /// metadata, suspending while the socket cannot take it. Where segmentation offload is
    /// refused, the segments go out apart and a send that would block resumes after the last
    /// segment sent: none is sent twice or dropped.
    ///
    /// - Parameters:
    ///   - datagram: the bytes (borrowed until the call returns), destination and metadata.
    ///   - flags: `MSG_*` flags.
    /// - Returns: the bytes sent: all of them, or the call throws.
    /// - Throws: `SocketError` as `Socket.send(_:flags:)`, and `.cancelled`.
    ///
    /// The corresponding C function is `sendmsg` with `UDP_SEGMENT`.
    public func send(_ datagram: OutgoingDatagram, flags: MessageFlags = []) async throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        var remaining = datagram
        var sent = 0
        while true {
            let seen = registration.sequence(.write)
            do throws(SocketError) {
                let count = try withSocket { (socket) throws(SocketError) -> Int in
                    try socket.send(remaining, flags: flags.union(.dontWait))
                }
                return sent + count
            } catch where error.kind == .wouldBlock {
                // Segments sent apart before the socket filled: resume after them.
                if error.bytesTransferred > 0 {
                    sent += error.bytesTransferred
                    remaining.bytes = UnsafeRawBufferPointer(rebasing: remaining.bytes[error.bytesTransferred...])
                }
                try await suspend("sendmsg", .write, after: seen, flags: flags, deadline: &deadline)
            }
        }
    }

    /// Receives one datagram, or coalesced datagrams of one sender, with its metadata,
    /// suspending until one arrives.
    ///
    /// - Parameters:
    ///   - buffer: where the bytes go; must not be empty (65,535 bytes or more with coalescing).
    ///   - flags: `MSG_*` flags.
    /// - Returns: the count, sender and metadata; walk `ReceivedDatagram.segments` with coalescing.
    /// - Throws: `SocketError`: `.system`, `.timeout`, `.wouldBlock`, `.cancelled`.
    ///
    /// The corresponding C function is `recvmsg`.
    public func receiveMessage(
        into buffer: UnsafeMutableRawBufferPointer, flags: MessageFlags = []
    ) async throws(SocketError) -> ReceivedDatagram {
        var deadline: Deadline? = nil
        return try await retrying("recvmsg", .read, flags: flags, deadline: &deadline) {
            (socket, flags) throws(SocketError) in try socket.receiveMessage(into: buffer, flags: flags)
        }
    }

    /// Takes the oldest error from the socket's error queue, or returns `nil`; never waits.
    /// See `Socket.nextQueuedError()`.
    ///
    /// - Returns: the error, or `nil` when none is queued.
    /// - Throws: `SocketError` of kind `.system` if the queue cannot be read.
    ///
    /// The corresponding C function is `recvmsg` with `MSG_ERRQUEUE`.
    public func nextQueuedError() throws(SocketError) -> QueuedError? {
        try withSocket { (socket) throws(SocketError) in try socket.nextQueuedError() }
    }
}
