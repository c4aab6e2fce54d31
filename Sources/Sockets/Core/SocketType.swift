/// A socket's type: stream (TCP), datagram (UDP) and the rarer kinds.
public struct SocketType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw `SOCK_*` value.
    public var rawValue: Int32

    /// Wraps a raw `SOCK_*` value.
    ///
    /// - Parameter rawValue: the raw `SOCK_*` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `SOCK_STREAM`: a reliable byte stream (TCP for IP families).
    public static let stream = SocketType(rawValue: Constants.sock_stream)
    /// `SOCK_DGRAM`: datagrams (UDP for IP families).
    public static let datagram = SocketType(rawValue: Constants.sock_dgram)
    /// `SOCK_RAW`: raw network protocol access.
    public static let raw = SocketType(rawValue: Constants.sock_raw)
    /// `SOCK_SEQPACKET`: reliable, ordered datagrams.
    public static let seqPacket = SocketType(rawValue: Constants.sock_seqpacket)

    /// "stream", "datagram", "raw", "seqpacket" or "type N".
    public var description: String {
        switch self {
        case .stream: "stream"
        case .datagram: "datagram"
        case .raw: "raw"
        case .seqPacket: "seqpacket"
        default: "type \(rawValue)"
        }
    }
}
