// The recv loop: drain a stream through one reused buffer, chunk by chunk.

extension Socket {
    /// Receives until the peer closes the stream (or `limit` bytes), through one reused
    /// buffer, handing each chunk to `body` as borrowed bytes.
    ///
    /// This is the loop to use for bulk data (the throughput target and `netclient` use it).
    /// In the steady state it makes no heap allocation and exactly one `recv` system call per
    /// chunk when data is waiting; the timeout applies per `recv`, as in Python.
    ///
    ///     var buffer = ReceiveBuffer(capacity: 65536)
    ///     let total = try socket.receiveAll(using: &buffer) { chunk in checksum.update(chunk) }
    ///
    /// - Parameters:
    ///   - buffer: the reused memory; each chunk is at most its capacity (must not be 0).
    ///   - limit: stop after this many bytes (`nil`: at end of stream only); never over-reads.
    ///   - body: called with each chunk, valid only during the call.
    /// - Returns: the total number of bytes received.
    /// - Throws: ``SocketError`` from `recv`, after `body` has seen every byte before it; its
    ///   ``SocketError/bytesTransferred`` is that count.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll(
        using buffer: inout ReceiveBuffer, limit: Int? = nil, _ body: (RawSpan) -> Void
    ) throws(SocketError) -> Int {
        try receiveLoop(using: &buffer, limit: limit) { chunk in
            body(chunk)
            return true
        }
    }

    /// The recv loop with a body that may throw to stop it; see
    /// ``receiveAll(using:limit:_:)-(_,_,(RawSpan)->Void)``.
    ///
    /// - Parameters:
    ///   - buffer: the reused memory; each chunk is at most its capacity (must not be 0).
    ///   - limit: stop after this many bytes (`nil`: at end of stream only).
    ///   - body: called with each chunk, valid only during the call; throws to stop the loop.
    /// - Returns: the total number of bytes received.
    /// - Throws: ``ReceiveLoopError``: `.socket` with the ``SocketError`` from `recv`, or
    ///   `.body` with what `body` threw.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll<BodyError: Error>(
        using buffer: inout ReceiveBuffer, limit: Int? = nil,
        _ body: (RawSpan) throws(BodyError) -> Void
    ) throws(ReceiveLoopError<BodyError>) -> Int {
        var failure: BodyError?
        let total: Int
        do throws(SocketError) {
            total = try receiveLoop(using: &buffer, limit: limit) { chunk in
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

    /// The recv loop over caller-owned raw memory; see
    /// ``receiveAll(using:limit:_:)-(_,_,(RawSpan)->Void)``.
    ///
    /// - Parameters:
    ///   - buffer: the reused memory (align it: see ``ReceiveBuffer``); must not be empty.
    ///   - limit: stop after this many bytes; `nil` for end of stream only.
    ///   - body: called with each chunk, valid only during the call.
    /// - Returns: the total number of bytes received.
    /// - Throws: ``SocketError`` from `recv`; its ``SocketError/bytesTransferred`` counts the
    ///   bytes `body` was handed before it.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll(
        into buffer: UnsafeMutableRawBufferPointer, limit: Int? = nil,
        _ body: (UnsafeRawBufferPointer) -> Void
    ) throws(SocketError) -> Int {
        try receiveLoop(into: buffer, limit: limit) { chunk in
            body(chunk)
            return true
        }
    }

    /// The raw-memory recv loop with a body that may throw to stop it.
    ///
    /// - Parameters:
    ///   - buffer: the reused memory; must not be empty.
    ///   - limit: stop after this many bytes; `nil` for end of stream only.
    ///   - body: called with each chunk, valid only during the call; throws to stop the loop.
    /// - Returns: the total number of bytes received.
    /// - Throws: ``ReceiveLoopError``: `.socket` or `.body`.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll<BodyError: Error>(
        into buffer: UnsafeMutableRawBufferPointer, limit: Int? = nil,
        _ body: (UnsafeRawBufferPointer) throws(BodyError) -> Void
    ) throws(ReceiveLoopError<BodyError>) -> Int {
        var failure: BodyError?
        let total: Int
        do throws(SocketError) {
            total = try receiveLoop(into: buffer, limit: limit) { chunk in
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
    /// them: a convenience for short replies, which allocates. Use the recv loop for bulk data.
    ///
    ///     try socket.sendAll(request)
    ///     let reply = try socket.receiveAll(maxCount: 1 << 20)
    ///
    /// - Parameter maxCount: the most bytes to return (1 to ``maxConvenienceCount``); more
    ///   stay in the socket.
    /// - Returns: the bytes received.
    /// - Throws: ``SocketError`` from `recv`, whose ``SocketError/bytesTransferred`` counts the
    ///   bytes received before it (they are lost with the error: use the recv loop to keep them),
    ///   or `.system(.invalidArgument)` for a bad `maxCount`.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll(maxCount: Int) throws(SocketError) -> [UInt8] {
        guard maxCount > 0, maxCount <= Self.maxConvenienceCount else {
            throw .invalid("recv", "maxCount must be 1 to \(Self.maxConvenienceCount), not \(maxCount)")
        }
        var bytes: [UInt8] = []
        var buffer = ReceiveBuffer(capacity: min(maxCount, 64 * 1024))
        _ = try receiveAll(using: &buffer, limit: maxCount) { chunk in
            chunk.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    // MARK: - The loops

    /// The span loop: `body` returns `false` to stop. Non-generic, so the hot loop is compiled
    /// once, without generic error plumbing.
    private borrowing func receiveLoop(
        using buffer: inout ReceiveBuffer, limit: Int?, _ body: (RawSpan) -> Bool
    ) throws(SocketError) -> Int {
        guard buffer.capacity > 0 else { throw .invalid("recv", "zero-capacity buffer") }
        var total = 0
        while true {
            let wanted = limit.map { min($0 - total, buffer.capacity) } ?? buffer.capacity
            if wanted <= 0 && limit != nil { return total }
            buffer.removeAll()
            let count: Int
            do throws(SocketError) {
                count = try buffer.withOutputSpan { (output) throws(SocketError) -> Int in
                    try output.withUnsafeMutableBytes { (raw, initialized) throws(SocketError) -> Int in
                        let received = try receive(into: UnsafeMutableRawBufferPointer(rebasing: raw[..<wanted]))
                        initialized = received
                        return received
                    }
                }
            } catch {
                throw error.after(total)
            }
            if count == 0 { return total }
            total += count
            guard buffer.withBytes(body) else { return total }
        }
    }

    /// The raw-memory loop: `body` returns `false` to stop.
    private borrowing func receiveLoop(
        into buffer: UnsafeMutableRawBufferPointer, limit: Int?, _ body: (UnsafeRawBufferPointer) -> Bool
    ) throws(SocketError) -> Int {
        guard buffer.count > 0 else { throw .invalid("recv", "zero-length buffer") }
        var total = 0
        while true {
            let wanted = limit.map { min($0 - total, buffer.count) } ?? buffer.count
            if wanted <= 0 && limit != nil { return total }
            let count: Int
            do throws(SocketError) {
                count = try receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
            } catch {
                throw error.after(total)
            }
            if count == 0 { return total }
            total += count
            guard body(UnsafeRawBufferPointer(rebasing: buffer[..<count])) else { return total }
        }
    }
}

extension SocketError {
    /// The same error, noting that `count` bytes had moved before it.
    func after(_ count: Int) -> SocketError {
        var error = self
        error.bytesTransferred = count
        return error
    }
}
