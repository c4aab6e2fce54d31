// Vectored and batched I/O without blocking a thread: the blocking layer's calls, made with
// `.dontWait`, and a suspension whenever they would block.

import Sockets

extension AsyncSocket {
    /// Runs a blocking-layer `call` with `.dontWait` added to `flags`, suspending until the
    /// reactor reports readiness whenever it would block. Throws `.wouldBlock` itself when the
    /// socket is non-blocking or the caller passed `.dontWait`.
    func retrying<R>(
        _ operation: StaticString, _ direction: Direction, flags: MessageFlags, deadline: inout Deadline?,
        _ call: (borrowing Socket, MessageFlags) throws(SocketError) -> R
    ) async throws(SocketError) -> R {
        while true {
            let seen = registration.sequence(direction)
            do throws(SocketError) {
                return try withSocket { (socket) throws(SocketError) -> R in
                    try call(socket, flags.union(.dontWait))
                }
            } catch where error.kind == .wouldBlock {
                try await suspend(operation, direction, after: seen, flags: flags, deadline: &deadline)
            }
        }
    }

    /// Receives into several buffers, in order, with one system call, suspending until data
    /// arrives.
    ///
    /// - Parameters:
    ///   - buffers: the buffers, at most 1024; together they must not be empty.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes arrived across the buffers; 0 means end of stream.
    /// - Throws: `SocketError`: `.system`, `.timeout`, `.wouldBlock`, `.cancelled`.
    ///
    /// The corresponding C function is `recvmsg`.
    public func receive(
        vectors buffers: [UnsafeMutableRawBufferPointer], flags: MessageFlags = []
    ) async throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        return try await retrying("recvmsg", .read, flags: flags, deadline: &deadline) {
            (socket, flags) throws(SocketError) in try socket.receive(vectors: buffers, flags: flags)
        }
    }

    /// Sends every byte of several buffers, resuming partial vectored writes mid-buffer, and
    /// suspending while the socket cannot take more.
    ///
    /// - Parameters:
    ///   - buffers: the buffers, in order, at most 1024.
    ///   - flags: `MSG_*` flags.
    /// - Throws: `SocketError` with `SocketError.bytesTransferred`: `.system`, `.timeout`,
    ///   `.wouldBlock`, `.cancelled`.
    ///
    /// The corresponding C function is `sendmsg`, in a loop.
    public func sendAll(vectors buffers: [UnsafeRawBufferPointer], flags: MessageFlags = []) async throws(SocketError) {
        let total = buffers.reduce(0) { $0 + $1.count }
        var deadline: Deadline? = nil
        var sent = 0
        while sent < total {
            do throws(SocketError) {
                sent += try await retrying("sendmsg", .write, flags: flags, deadline: &deadline) {
                    (socket, flags) throws(SocketError) in
                    var none: Deadline? = nil
                    return try socket.sendVectored(buffers, skip: sent, flags: flags, deadline: &none)
                }
            } catch {
                var error = error
                error.bytesTransferred = sent
                throw error
            }
        }
    }

    /// Receives up to the batch's slot count of datagrams with one system call, suspending
    /// until the first arrives.
    ///
    /// - Parameters:
    ///   - batch: the batch whose slots receive the datagrams.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many datagrams arrived (at least 1), also in `DatagramBatch.count`.
    /// - Throws: `SocketError`: `.system`, `.timeout`, `.wouldBlock`, `.cancelled`.
    ///
    /// The corresponding C function is `recvmmsg`.
    public func receiveBatch(into batch: inout DatagramBatch, flags: MessageFlags = []) async throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        while true {
            let seen = registration.sequence(.read)
            do throws(SocketError) {
                return try withSocket { (socket) throws(SocketError) -> Int in
                    try socket.receiveBatch(into: &batch, flags: flags.union(.dontWait))
                }
            } catch where error.kind == .wouldBlock {
                try await suspend("recvmmsg", .read, after: seen, flags: flags, deadline: &deadline)
            }
        }
    }

    /// Sends many datagrams with as few system calls as the kernel allows, suspending while the
    /// socket cannot take more.
    ///
    /// - Parameters:
    ///   - datagrams: the datagrams, each with its destination (or none on a connected socket);
    ///     their bytes must stay valid until the call returns.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many datagrams were sent: all of them, or the call throws.
    /// - Throws: `SocketError` whose `SocketError.bytesTransferred` counts the bytes of the
    ///   datagrams sent before the failure.
    ///
    /// The corresponding C function is `sendmmsg`.
    public func sendBatch(_ datagrams: [OutgoingDatagram], flags: MessageFlags = []) async throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        var sent = 0
        while sent < datagrams.count {
            let seen = registration.sequence(.write)
            do throws(SocketError) {
                try withSocket { (socket) throws(SocketError) in
                    try socket.sendBatch(datagrams, sent: &sent, flags: flags.union(.dontWait))
                }
            } catch where error.kind == .wouldBlock {
                try await suspend("sendmmsg", .write, after: seen, flags: flags, deadline: &deadline)
            }
        }
        return sent
    }
}
