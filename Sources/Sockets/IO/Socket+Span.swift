// Safe zero-copy paths: receive into an output span, send from a borrowed raw span.

extension Socket {
    /// Receives into the free space of caller-owned memory, straight from the kernel, and
    /// appends what arrived to `output`. No copy, no allocation.
    ///
    /// Use it when you hold an `OutputRawSpan` (a ``ReceiveBuffer``, an `Array`'s or
    /// `InlineArray`'s uninitialized tail). Cost: one `recv` when data is waiting.
    ///
    /// - Parameters:
    ///   - output: where the bytes go; must have free capacity.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes arrived; 0 means the peer closed the connection.
    /// - Throws: ``SocketError`` as ``receive(into:flags:)-(UnsafeMutableRawBufferPointer,_)``,
    ///   and `.system(.invalidArgument)` when `output` is full.
    ///
    /// The corresponding C function is `recv`.
    @inline(__always)
    public borrowing func receive(
        into output: inout OutputRawSpan, flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        try output.withUnsafeMutableBytes { (buffer, initialized) throws(SocketError) -> Int in
            let free = UnsafeMutableRawBufferPointer(rebasing: buffer[initialized...])
            let count = try receive(into: free, flags: flags)
            initialized += count
            return count
        }
    }

    /// Receives into a ``ReceiveBuffer``'s free space; see
    /// ``receive(into:flags:)-(OutputRawSpan,_)``.
    ///
    /// - Parameters:
    ///   - buffer: the buffer; must have free capacity.
    ///   - flags: `MSG_*` flags.
    /// - Throws: ``SocketError`` as ``receive(into:flags:)-(OutputRawSpan,_)``.
    @inline(__always)
    public borrowing func receive(
        into buffer: inout ReceiveBuffer, flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        try buffer.withOutputSpan { (output) throws(SocketError) in try receive(into: &output, flags: flags) }
    }

    /// Sends from borrowed memory, straight to the kernel; may send only part of it.
    ///
    /// Cost: one `send` when the socket can take data. No copy, no allocation.
    ///
    /// - Parameters:
    ///   - bytes: the bytes to send.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes the kernel took.
    /// - Throws: ``SocketError`` as ``send(_:flags:)-(UnsafeRawBufferPointer,_)``.
    ///
    /// The corresponding C function is `send` (with `MSG_NOSIGNAL` on Linux).
    @inline(__always)
    public borrowing func send(_ bytes: RawSpan, flags: MessageFlags = []) throws(SocketError) -> Int {
        try bytes.withUnsafeBytes { (raw) throws(SocketError) in try send(raw, flags: flags) }
    }

    /// Sends all of borrowed memory, completing partial writes.
    ///
    /// Cost: one `send` per partial write; no copy, no allocation. On failure the error's
    /// ``SocketError/bytesTransferred`` says how much was sent.
    ///
    /// - Parameters:
    ///   - bytes: the bytes to send.
    ///   - flags: `MSG_*` flags.
    /// - Throws: ``SocketError`` with ``SocketError/bytesTransferred``: `.system`, `.timeout`,
    ///   `.wouldBlock`.
    ///
    /// The corresponding C function is `send` (with `MSG_NOSIGNAL` on Linux).
    public borrowing func sendAll(_ bytes: RawSpan, flags: MessageFlags = []) throws(SocketError) {
        try bytes.withUnsafeBytes { (raw) throws(SocketError) in try sendAll(raw, flags: flags) }
    }
}
