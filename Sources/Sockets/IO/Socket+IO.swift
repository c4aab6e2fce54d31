// Sending and receiving on a connected socket, through raw caller-owned memory.

extension Socket {
    /// Receives into caller-owned memory, straight from the kernel (no copy in between).
    ///
    /// Waits per the socket's ``timeout``. When data is already waiting, this is exactly one
    /// `recv` system call, even with a timeout set.
    ///
    /// - Parameters:
    ///   - buffer: where the bytes go; must not be empty.
    ///   - flags: `MSG_*` flags, such as `.peek`.
    /// - Returns: how many bytes arrived; 0 means the peer closed the connection (EOF).
    /// - Throws: ``SocketError``: `.system` (`ECONNRESET`, ...), `.timeout`, `.wouldBlock`,
    ///   or `.system(.invalidArgument)` for an empty buffer, checked before any system call
    ///   (a 0-byte receive could not be told apart from EOF).
    ///
    /// The corresponding C function is `recv`.
    @inline(__always)
    public borrowing func receive(
        into buffer: UnsafeMutableRawBufferPointer, flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw .invalid("recv", "zero-length buffer: nothing can be received into it")
        }
        var deadline: Deadline? = nil
        return try withTimeout("recv", .readable, flags: flags, deadline: &deadline) { () throws(Errno) in
            try Sys.recv(descriptor, base, buffer.count, flags.rawValue)
        }
    }

    /// Sends from caller-owned memory, straight to the kernel; may send only part of it.
    ///
    /// Waits per the socket's ``timeout``. Never raises SIGPIPE: a closed peer is
    /// `.system(.brokenPipe)`. An empty buffer sends nothing and returns 0 without a system call
    /// on a stream socket; on a datagram socket it sends an empty datagram.
    ///
    /// - Parameters:
    ///   - buffer: the bytes to send.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes the kernel took (use ``sendAll(_:flags:)-(UnsafeRawBufferPointer,_)`` for all of them).
    /// - Throws: ``SocketError``: `.system`, `.timeout`, `.wouldBlock`.
    ///
    /// The corresponding C function is `send` (with `MSG_NOSIGNAL` on Linux).
    @inline(__always)
    public borrowing func send(
        _ buffer: UnsafeRawBufferPointer, flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        return try send(buffer, flags: flags, deadline: &deadline)
    }

    /// Sends all of `buffer`, calling `send` until every byte is taken.
    ///
    /// Not one system call: a loop over partial writes. With a timeout, the whole call shares
    /// one deadline. Allocates nothing.
    ///
    /// - Parameters:
    ///   - buffer: the bytes to send.
    ///   - flags: `MSG_*` flags.
    /// - Throws: ``SocketError`` whose ``SocketError/bytesTransferred`` says how many bytes were
    ///   sent before the failure, so nothing is lost silently.
    ///
    /// The corresponding C function is `send` (with `MSG_NOSIGNAL` on Linux).
    public borrowing func sendAll(
        _ buffer: UnsafeRawBufferPointer, flags: MessageFlags = []
    ) throws(SocketError) {
        var deadline: Deadline? = nil
        var sent = 0
        while sent < buffer.count {
            do throws(SocketError) {
                sent += try send(UnsafeRawBufferPointer(rebasing: buffer[sent...]), flags: flags,
                                 deadline: &deadline)
            } catch {
                var error = error
                error.bytesTransferred = sent
                throw error
            }
        }
    }

    /// Sends all of `bytes`; see ``sendAll(_:flags:)-(UnsafeRawBufferPointer,_)``.
    ///
    /// Sends straight from the sequence's own storage when it has contiguous storage (an
    /// `Array`, `ContiguousArray`, `String.UTF8View` of a native string, ...); copies into an
    /// array first only when it does not.
    ///
    /// - Parameters:
    ///   - bytes: what to send.
    ///   - flags: `MSG_*` flags.
    /// - Throws: ``SocketError`` whose ``SocketError/bytesTransferred`` says how many bytes were
    ///   sent before the failure.
    ///
    /// The corresponding C function is `send` (with `MSG_NOSIGNAL` on Linux).
    public borrowing func sendAll(_ bytes: some Sequence<UInt8>, flags: MessageFlags = []) throws(SocketError) {
        let sent = bytes.withContiguousStorageIfAvailable { storage in
            Result { () throws(SocketError) in try sendAll(UnsafeRawBufferPointer(storage), flags: flags) }
        }
        if let sent { return try sent.get() }
        try Array(bytes).withBytes { (raw) throws(SocketError) in try sendAll(raw, flags: flags) }
    }

    /// Receives up to `maxCount` bytes into a new array: a convenience that allocates. Use
    /// ``receive(into:flags:)-(UnsafeMutableRawBufferPointer,_)`` or the recv loop on a hot path.
    ///
    /// - Parameters:
    ///   - maxCount: the most bytes to return, 1 to ``maxConvenienceCount``.
    ///   - flags: `MSG_*` flags.
    /// - Returns: the bytes; empty means the peer closed the connection.
    /// - Throws: ``SocketError``: `.system` (`ECONNRESET`, ...), `.timeout`, `.wouldBlock`, or
    ///   `.system(.invalidArgument)` for a bad `maxCount`.
    ///
    /// The corresponding C function is `recv`.
    public borrowing func receive(maxCount: Int, flags: MessageFlags = []) throws(SocketError) -> [UInt8] {
        guard maxCount > 0, maxCount <= Self.maxConvenienceCount else {
            throw .invalid("recv", "maxCount must be 1 to \(Self.maxConvenienceCount), not \(maxCount)")
        }
        return try [UInt8].filled(capacity: maxCount) { (buffer) throws(SocketError) in
            try receive(into: buffer, flags: flags)
        }
    }

    /// One `send` under the timeout, sharing `deadline` with a caller's loop.
    @inline(__always)
    borrowing func send(
        _ buffer: UnsafeRawBufferPointer, flags: MessageFlags,
        deadline: inout Deadline?
    ) throws(SocketError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            if isDatagram { return try sendEmptyDatagram(flags: flags) }
            return 0
        }
        return try withTimeout("send", .writable, flags: flags, deadline: &deadline) { () throws(Errno) in
            try Sys.send(descriptor, base, buffer.count, flags.rawValue)
        }
    }

    /// The most bytes the allocating conveniences take at once (1 GiB): more is a mistake,
    /// reported as an error rather than an allocation failure.
    public static let maxConvenienceCount = 1 << 30

    /// Whether this is a datagram socket (read from `SO_TYPE`; only on unusual paths).
    var isDatagram: Bool { (try? type) == .datagram }

    private borrowing func sendEmptyDatagram(flags: MessageFlags) throws(SocketError) -> Int {
        var byte: UInt8 = 0
        var deadline: Deadline? = nil
        return try withUnsafePointer(to: &byte) { (pointer) throws(SocketError) in
            try withTimeout("send", .writable, flags: flags, deadline: &deadline) { () throws(Errno) in
                try Sys.send(descriptor, pointer, 0, flags.rawValue)
            }
        }
    }
}

extension Socket {
    /// How many bytes wait in the receive queue, ready for a `recv` without blocking (for a
    /// datagram socket: the size of the next datagram).
    ///
    /// The corresponding C function is `ioctl(FIONREAD)` (`SIOCINQ` on Linux).
    public var availableBytes: Int {
        get throws(SocketError) {
            do throws(Errno) { return try Sys.bytesReadable(descriptor) } catch {
                throw .system(error, "ioctl", "FIONREAD")
            }
        }
    }
}
