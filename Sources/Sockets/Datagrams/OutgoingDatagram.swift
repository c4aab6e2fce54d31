/// One datagram to send, with what the kernel should know about it: the value quinn-udp calls
/// `Transmit`. Used by ``Socket/send(_:flags:)-(OutgoingDatagram,_)`` and ``Socket/sendBatch(_:flags:)``.
///
/// The bytes are not copied: they must stay valid until the send returns.
///
///     // 48,000 bytes leave as forty 1,200-byte datagrams, with one system call:
///     try socket.send(OutgoingDatagram(bytes, to: peer, segmentSize: 1200))
public struct OutgoingDatagram: @unchecked Sendable {
    /// The datagram's bytes, borrowed from the caller; with ``segmentSize``, many datagrams.
    public var bytes: UnsafeRawBufferPointer
    /// Where to send it; `nil` on a connected socket.
    public var destination: SocketAddress?
    /// Segmentation offload (`UDP_SEGMENT`): cut ``bytes`` into datagrams of this size, the
    /// last one possibly shorter, in the kernel. 1 to 65,507, at most 64 segments; `nil` sends
    /// one datagram.
    public var segmentSize: Int?
    /// The ECN bits to send with (`IP_TOS`/`IPV6_TCLASS`); `nil` keeps the socket's.
    public var ecn: ECN?
    /// The source address to send from (`IP_PKTINFO`/`IPV6_PKTINFO`): one of the host's
    /// addresses; `nil` lets the route choose.
    public var source: IPAddress?
    /// The interface to send from (`IP_PKTINFO`/`IPV6_PKTINFO`); `nil` lets the route choose.
    public var interfaceIndex: UInt32?

    /// A datagram of `bytes` for `destination` (`nil` on a connected socket).
    ///
    /// - Parameters:
    ///   - bytes: the datagram, borrowed: it must stay valid until the send returns.
    ///   - destination: where to send it; `nil` on a connected socket.
    ///   - segmentSize: cut `bytes` into datagrams of this size in the kernel (`UDP_SEGMENT`).
    ///   - ecn: the ECN bits to send with.
    ///   - source: the local address to send from.
    ///   - interfaceIndex: the interface to send from.
    public init(
        _ bytes: UnsafeRawBufferPointer, to destination: SocketAddress? = nil, segmentSize: Int? = nil,
        ecn: ECN? = nil, source: IPAddress? = nil, interfaceIndex: UInt32? = nil
    ) {
        self.bytes = bytes
        self.destination = destination
        self.segmentSize = segmentSize
        self.ecn = ecn
        self.source = source
        self.interfaceIndex = interfaceIndex
    }

    /// The most segments one segmented send may carry (`UDP_MAX_SEGMENTS` in Linux).
    public static let maxSegments = 64

    /// The largest UDP payload over IPv4 (65,535 less the IP and UDP headers).
    public static let maxDatagramSize = 65_507

    /// Whether anything beyond bytes and destination must travel in control messages.
    var needsControl: Bool { segmentSize != nil || ecn != nil || source != nil || interfaceIndex != nil }

    /// Whether `other` may share one segmented send with this datagram: the same destination
    /// and metadata, no segment size of its own.
    func canShareSend(with other: OutgoingDatagram) -> Bool {
        other.segmentSize == nil && other.destination == destination && other.ecn == ecn
            && other.source == source && other.interfaceIndex == interfaceIndex
    }

    /// Checks ``segmentSize`` against the kernel's limits, naming the problem.
    func validateSegments(_ operation: String) throws(SocketError) {
        guard let size = segmentSize else { return }
        guard size > 0, size <= Self.maxDatagramSize else {
            throw .invalid(operation, "segment size \(size) is not 1 to \(Self.maxDatagramSize) bytes")
        }
        let segments = (bytes.count + size - 1) / size
        guard segments <= Self.maxSegments else {
            throw .invalid(operation, "\(bytes.count) bytes in \(size)-byte segments are \(segments) datagrams; "
                                      + "the kernel takes at most \(Self.maxSegments) per send")
        }
    }
}
