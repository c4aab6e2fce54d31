/// What one receive brought besides the bytes: the per-datagram metadata of
/// ``Socket/receiveMessage(into:flags:)`` and ``DatagramBatch/metadata(at:)``, in the spirit of
/// quinn-udp's `RecvMeta`.
///
/// Each field is filled only when the socket asked the kernel for it (an option that is off
/// costs nothing): ``destination`` and ``interfaceIndex`` with ``Socket/setReceivePacketInfo(_:)``,
/// ``ecn`` with ``Socket/setReceiveECN(_:)``, ``timestamp`` with
/// ``Socket/setReceiveTimestamps(_:)``, ``segmentSize`` with ``Socket/setReceiveCoalescing(_:)``.
public struct ReceivedDatagram: Hashable, Sendable {
    /// The bytes placed in the buffer (all coalesced datagrams together).
    public var count: Int
    /// Who sent it, when the receive asked for the sender.
    public var sender: SocketAddress?
    /// With coalescing (`UDP_GRO`): the length of each datagram in the buffer, the last one
    /// possibly shorter; `nil` when the buffer holds one datagram.
    public var segmentSize: Int?
    /// The local address the datagram was sent to (`IP_PKTINFO`/`IPV6_PKTINFO`).
    public var destination: IPAddress?
    /// The index of the interface it arrived on (`IP_PKTINFO`/`IPV6_PKTINFO`).
    public var interfaceIndex: UInt32?
    /// Its ECN bits (`IP_TOS`/`IPV6_TCLASS`).
    public var ecn: ECN?
    /// When the kernel received it, as time since the Unix epoch on the real-time clock
    /// (`SO_TIMESTAMPNS`).
    public var timestamp: Duration?
    /// Whether the datagram was longer than the buffer, so its end was lost (`MSG_TRUNC`).
    public var isTruncated: Bool
    /// Whether some metadata did not fit the control buffer and was lost (`MSG_CTRUNC`): more
    /// options are on than the library reads, such as ones set with ``Socket/setRawOption(level:name:value:)``.
    public var isMetadataTruncated: Bool

    /// Metadata for `count` bytes with nothing else known.
    ///
    /// - Parameter count: the bytes received.
    public init(count: Int) {
        self.count = count
        isTruncated = false
        isMetadataTruncated = false
    }

    /// The datagrams in the buffer as byte ranges: one, or several of ``segmentSize`` with
    /// coalescing.
    public var segments: DatagramSegments {
        DatagramSegments(byteCount: count, segmentSize: segmentSize ?? count)
    }
}
