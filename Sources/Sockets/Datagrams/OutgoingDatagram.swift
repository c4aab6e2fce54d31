/// One datagram of a batch send: borrowed bytes and where they go.
///
/// The bytes are not copied: they must stay valid until the send returns.
public struct OutgoingDatagram: @unchecked Sendable {
    /// The datagram's bytes, borrowed from the caller.
    public var bytes: UnsafeRawBufferPointer
    /// Where to send it; `nil` on a connected socket.
    public var destination: SocketAddress?

    /// A datagram of `bytes` for `destination` (`nil` on a connected socket).
    ///
    /// - Parameters:
    ///   - bytes: the datagram, borrowed: it must stay valid until the send returns.
    ///   - destination: where to send it; `nil` on a connected socket.
    public init(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress? = nil) {
        self.bytes = bytes
        self.destination = destination
    }
}
