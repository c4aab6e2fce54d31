// The async receive loop: drain a stream through one reused buffer, suspending between chunks.

import Sockets

extension AsyncSocket {
    /// Receives until the peer closes the stream (or `limit` bytes), through one reused buffer,
    /// handing each chunk to `body` as borrowed bytes; suspends while no data is waiting.
    ///
    /// In the steady state it makes no heap allocation: one `recv` per chunk when data is
    /// waiting, and a suspension with no allocation when it is not.
    ///
    /// - Parameters:
    ///   - buffer: the reused memory; each chunk is at most its capacity (must not be 0).
    ///   - limit: stop after this many bytes (`nil`: at end of stream only); never over-reads.
    ///   - body: called with each chunk, valid only during the call.
    /// - Returns: the total number of bytes received.
    /// - Throws: `SocketError` (`.system`, `.timeout`, `.cancelled`, ...) after
    ///   `body` has seen every byte before it; its `SocketError.bytesTransferred` is
    ///   that count.
    ///
    /// With ``multishotReceiveLoop`` (io_uring, `SOCKETS_IO_URING_MULTISHOT=enabled`), a loop
    /// with no `limit` on the reactor's executor with a buffer of at least 16 KiB runs as one
    /// multishot receive instead: the kernel fills the library's provided buffers as data
    /// arrives, and each chunk (at most 16 KiB) is one of them, lent to `body` and then given
    /// back, with no readiness wait and no system call per chunk.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll(
        using buffer: inout ReceiveBuffer, limit: Int? = nil, _ body: (RawSpan) -> Void
    ) async throws(SocketError) -> Int {
        var total = 0
        if limit == nil, buffer.capacity >= IOURingPoller.streamBufferSize, registration.isStream,
           let ring = registration.reactor.completions, ring.multishotLoops, registration.reactor.isCurrentThread,
           try await receiveAllByCompletion(ring, buffer: &buffer, total: &total, body) {
            return total
        }
        // The multishot loop runs only without a limit, so `limit` is still whole here.
        return try await total + receiveLoop(using: &buffer, limit: limit, counted: total) { chunk in
            body(chunk)
            return true
        }
    }

    /// The async receive loop with a body that may throw to stop it.
    ///
    /// - Parameters:
    ///   - buffer: the reused memory (must not be 0 bytes).
    ///   - limit: stop after this many bytes (`nil`: at end of stream only).
    ///   - body: called with each chunk, valid only during the call; throws to stop the loop.
    /// - Returns: the total number of bytes received.
    /// - Throws: `ReceiveLoopError`: `.socket` with the `SocketError`, or
    ///   `.body` with what `body` threw.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll<BodyError: Error>(
        using buffer: inout ReceiveBuffer, limit: Int? = nil,
        _ body: (RawSpan) throws(BodyError) -> Void
    ) async throws(ReceiveLoopError<BodyError>) -> Int {
        var failure: BodyError?
        let total: Int
        do throws(SocketError) {
            total = try await receiveLoop(using: &buffer, limit: limit) { chunk in
                do throws(BodyError) { try body(chunk) } catch {
                    failure = error
                    return false
                }
                return true
            }
        } catch {
            throw .socket(error)
        }
        if let failure { throw .body(failure) }
        return total
    }

    /// Receives until the peer closes the stream or `maxCount` bytes have arrived, and returns
    /// them: a convenience for short replies, which allocates.
    ///
    /// - Parameter maxCount: the most bytes to return (1 to
    ///   `Socket.maxConvenienceCount`); more stay in the socket.
    /// - Returns: the bytes received.
    /// - Throws: `SocketError` from `recv`, with
    ///   `SocketError.bytesTransferred`; `.system(.invalidArgument)` for a bad count.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll(maxCount: Int) async throws(SocketError) -> [UInt8] {
        guard maxCount > 0, maxCount <= Socket.maxConvenienceCount else {
            throw SocketError(.system(.invalidArgument), operation: "recv",
                              detail: "maxCount must be 1 to \(Socket.maxConvenienceCount), not \(maxCount)")
        }
        var bytes: [UInt8] = []
        var buffer = ReceiveBuffer(capacity: min(maxCount, 64 * 1024))
        _ = try await receiveAll(using: &buffer, limit: maxCount) { chunk in
            chunk.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// The loop: `body` returns `false` to stop.
    /// `counted` bytes were received before it (they go into a thrown error's count).
    private borrowing func receiveLoop(
        using buffer: inout ReceiveBuffer, limit: Int?, counted: Int = 0, _ body: (RawSpan) -> Bool
    ) async throws(SocketError) -> Int {
        guard buffer.capacity > 0 else {
            throw SocketError(.system(.invalidArgument), operation: "recv", detail: "zero-capacity buffer")
        }
        var total = 0
        while true {
            let wanted = limit.map { min($0 - total, buffer.capacity) } ?? buffer.capacity
            if wanted <= 0 && limit != nil { return total }
            buffer.removeAll()
            let count: Int
            do throws(SocketError) {
                count = try await receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer.freeSpace[..<wanted]))
            } catch {
                var error = error
                error.bytesTransferred = counted + total
                throw error
            }
            if count == 0 { return total }
            buffer.markFilled(count)
            total += count
            guard buffer.withBytes(body) else { return total }
        }
    }
}
