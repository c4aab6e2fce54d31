// The recv loop: drain a stream through one reused buffer, chunk by chunk.

extension Socket {
    /// Receives until the peer closes the stream (or `limit` bytes), through one reused
    /// buffer, handing each chunk to `body` as borrowed bytes.
    ///
    /// This is the loop to use for bulk data (the throughput target and `netclient` use it).
    /// In the steady state it makes no heap allocation and exactly one `recv` system call per
    /// chunk when data is waiting; the timeout applies per `recv`, as in Python.
    ///
    /// - Parameters:
    ///   - buffer: the reused memory; each chunk is at most its capacity (must not be 0).
    ///   - limit: stop after this many bytes (`nil`: at end of stream only); never over-reads.
    ///   - body: called with each chunk, valid only during the call; may throw to stop.
    /// - Returns: the total number of bytes received.
    /// - Throws: a ``SocketError`` from `recv` (after `body` has seen every byte before it),
    ///   or what `body` throws.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll(
        using buffer: inout ReceiveBuffer, limit: Int? = nil, _ body: (RawSpan) throws -> Void
    ) throws -> Int {
        guard buffer.capacity > 0 else { throw SocketError.invalid("recv", "zero-capacity buffer") }
        var total = 0
        while true {
            let wanted = limit.map { min($0 - total, buffer.capacity) } ?? buffer.capacity
            if wanted <= 0 && limit != nil { return total }
            buffer.removeAll()
            let count = try buffer.withOutputSpan { (output) throws(SocketError) -> Int in
                try output.withUnsafeMutableBytes { (raw, initialized) throws(SocketError) -> Int in
                    let received = try receive(into: UnsafeMutableRawBufferPointer(rebasing: raw[..<wanted]))
                    initialized = received
                    return received
                }
            }
            if count == 0 { return total }
            total += count
            try buffer.withBytes(body)
        }
    }

    /// The recv loop over caller-owned raw memory; see ``receiveAll(using:limit:_:)``.
    ///
    /// - Parameters:
    ///   - buffer: the reused memory (align it: see ``ReceiveBuffer``); must not be empty.
    ///   - limit: stop after this many bytes; `nil` for end of stream only.
    ///   - body: called with each chunk, valid only during the call.
    /// - Returns: the total number of bytes received.
    ///
    /// The corresponding C function is `recv`, in a loop.
    public borrowing func receiveAll(
        into buffer: UnsafeMutableRawBufferPointer, limit: Int? = nil,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        guard buffer.count > 0 else { throw SocketError.invalid("recv", "zero-length buffer") }
        var total = 0
        while true {
            let wanted = limit.map { min($0 - total, buffer.count) } ?? buffer.count
            if wanted <= 0 && limit != nil { return total }
            let count = try receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
            if count == 0 { return total }
            total += count
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
