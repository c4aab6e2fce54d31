/// An error the kernel queued for a datagram socket (`IP_RECVERR`/`IPV6_RECVERR`): an ICMP
/// error about a datagram sent earlier, or a local one such as a datagram over the path MTU.
/// Read with ``Socket/nextQueuedError()``.
public struct QueuedError: Hashable, Sendable, CustomStringConvertible {
    /// Who produced the error (`SO_EE_ORIGIN_*`).
    public struct Origin: RawRepresentable, Hashable, Sendable {
        /// The C value.
        public let rawValue: UInt8
        /// Wraps a C value.
        ///
        /// - Parameter rawValue: an `SO_EE_ORIGIN_*` value.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The local stack (`SO_EE_ORIGIN_LOCAL`), such as a datagram over the path MTU.
        public static let local = Origin(rawValue: 1)
        /// An ICMP message (`SO_EE_ORIGIN_ICMP`).
        public static let icmp = Origin(rawValue: 2)
        /// An ICMPv6 message (`SO_EE_ORIGIN_ICMP6`).
        public static let icmp6 = Origin(rawValue: 3)
    }

    /// The error: `.connectionRefused` for port unreachable, `.hostUnreachable`,
    /// `.networkUnreachable`, `.messageTooLong` for a datagram over the path MTU, ...
    public var errno: Errno
    /// Who produced it.
    public var origin: Origin
    /// The ICMP type (`ee_type`), 0 for a local error.
    public var type: UInt8
    /// The ICMP code (`ee_code`).
    public var code: UInt8
    /// Extra information (`ee_info`): the MTU for "fragmentation needed", "packet too big" and
    /// a local `EMSGSIZE`.
    public var info: UInt32
    /// Where the datagram that failed was going, port included.
    public var destination: SocketAddress?
    /// Who reported the error: the router or host that sent the ICMP message.
    public var offender: SocketAddress?

    /// Wraps the fields of one `sock_extended_err`.
    init(errno: Errno, origin: Origin, type: UInt8, code: UInt8, info: UInt32,
         destination: SocketAddress?, offender: SocketAddress?) {
        self.errno = errno
        self.origin = origin
        self.type = type
        self.code = code
        self.info = info
        self.destination = destination
        self.offender = offender
    }

    /// The path MTU the error reports, when it is about a datagram too large for the path.
    public var mtu: Int? {
        switch (origin, type, code) {
        case (.icmp, 3, 4), (.icmp6, 2, _): Int(info)
        case (.local, _, _) where errno == .messageTooLong: Int(info)
        default: nil
        }
    }

    /// What happened, in words: "port unreachable", "fragmentation needed (MTU 1280)", ...
    public var reason: String {
        let mtuText = mtu.map { " (MTU \($0))" } ?? ""
        switch (origin, type, code) {
        case (.icmp, 3, 0), (.icmp6, 1, 0): return "network unreachable"
        case (.icmp, 3, 1), (.icmp6, 1, 3): return "host unreachable"
        case (.icmp, 3, 3), (.icmp6, 1, 4): return "port unreachable"
        case (.icmp, 3, 4): return "fragmentation needed" + mtuText
        case (.icmp, 3, 13), (.icmp6, 1, 1): return "administratively prohibited"
        case (.icmp6, 2, _): return "packet too big" + mtuText
        case (.icmp, 11, _), (.icmp6, 3, _): return "time exceeded"
        case (.local, _, _): return errno.description + mtuText
        default: return "ICMP type \(type) code \(code)"
        }
    }

    /// The error as a ``SocketError`` of kind `.system`, naming the destination and who
    /// reported it.
    public var error: SocketError {
        var detail = reason
        if let offender { detail += ", reported by \(offender.host)" }
        return SocketError(.system(errno), operation: "error queue", target: destination?.description, detail: detail)
    }

    /// The error in words, as ``error`` describes it.
    public var description: String { error.description }
}
