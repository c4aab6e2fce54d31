// Datagrams: sending to and receiving from any address on an unconnected socket.

extension Socket {
    /// Sends one datagram to `address` from caller-owned memory (an empty buffer sends an
    /// empty datagram).
    ///
    /// - Parameters:
    ///   - buffer: the datagram.
    ///   - address: where to send it.
    ///   - flags: `MSG_*` flags.
    /// - Returns: the bytes sent: all of them, or the call fails (`EMSGSIZE` if too large).
    /// - Throws: ``SocketError``: `.system`, `.timeout`, `.wouldBlock`.
    ///
    /// The corresponding C function is `sendto` (with `MSG_NOSIGNAL` on Linux).
    public borrowing func send(
        _ buffer: UnsafeRawBufferPointer, to address: SocketAddress, flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        var byte: UInt8 = 0
        var deadline: Deadline? = nil
        return try withUnsafeMutablePointer(to: &byte) { (empty) throws(SocketError) in
            let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafeRawPointer(empty))
            do throws(SocketError) {
                return try withTimeout("sendto", .writable, flags: flags, deadline: &deadline) { () throws(Errno) in
                    try Sys.sendTo(descriptor, base, buffer.count, flags.rawValue, address)
                }
            } catch {
                var error = error
                error.target = address.description
                throw error
            }
        }
    }

    /// Sends the bytes of `bytes` as one datagram to `address`; see
    /// ``send(_:to:flags:)-(UnsafeRawBufferPointer,_,_)``.
    ///
    /// - Parameters:
    ///   - bytes: the datagram.
    ///   - address: where to send it.
    ///   - flags: `MSG_*` flags.
    /// - Throws: ``SocketError`` as ``send(_:to:flags:)-(UnsafeRawBufferPointer,_,_)``.
    public borrowing func send(
        _ bytes: some Sequence<UInt8>, to address: SocketAddress, flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        try Array(bytes).withBytes { (raw) throws(SocketError) in
            try send(raw, to: address, flags: flags)
        }
    }

    /// Receives one datagram into caller-owned memory and reports who sent it.
    ///
    /// A datagram longer than `buffer` is cut to fit (the rest is lost); pass `.truncate` in
    /// `flags` to get its real length in `count` instead.
    ///
    /// - Parameters:
    ///   - buffer: where the bytes go; must not be empty.
    ///   - flags: `MSG_*` flags, such as `.peek` or `.truncate`.
    /// - Returns: the datagram's length and the sender's address (`nil` if the kernel gave none).
    /// - Throws: ``SocketError``: `.system`, `.timeout`, `.wouldBlock`, or
    ///   `.system(.invalidArgument)` for an empty buffer.
    ///
    /// The corresponding C function is `recvfrom`.
    public borrowing func receiveFrom(
        into buffer: UnsafeMutableRawBufferPointer, flags: MessageFlags = []
    ) throws(SocketError) -> (count: Int, sender: SocketAddress?) {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw .invalid("recvfrom", "zero-length buffer: nothing can be received into it")
        }
        var deadline: Deadline? = nil
        return try withTimeout("recvfrom", .readable, flags: flags, deadline: &deadline) { () throws(Errno) in
            try Sys.receiveFrom(descriptor, base, buffer.count, flags.rawValue)
        }
    }

    /// Receives one datagram of at most `maxCount` bytes into a new array, with its sender:
    /// a convenience that allocates.
    ///
    /// - Parameters:
    ///   - maxCount: the most bytes kept, 1 to ``maxConvenienceCount``; a longer datagram is cut.
    ///   - flags: `MSG_*` flags.
    /// - Throws: ``SocketError``: `.system`, `.timeout`, `.wouldBlock`, or `.system(.invalidArgument)`
    ///   for a bad `maxCount`.
    ///
    /// The corresponding C function is `recvfrom`.
    public borrowing func receiveFrom(
        maxCount: Int, flags: MessageFlags = []
    ) throws(SocketError) -> (bytes: [UInt8], sender: SocketAddress?) {
        guard maxCount > 0, maxCount <= Self.maxConvenienceCount else {
            throw .invalid("recvfrom", "maxCount must be 1 to \(Self.maxConvenienceCount), not \(maxCount)")
        }
        var sender: SocketAddress?
        let bytes = try [UInt8].filled(capacity: maxCount) { (buffer) throws(SocketError) in
            let result = try receiveFrom(into: buffer, flags: flags)
            sender = result.sender
            return result.count
        }
        return (bytes, sender)
    }
}
