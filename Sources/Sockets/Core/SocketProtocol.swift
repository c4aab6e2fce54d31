/// A socket's protocol within its family and type: TCP, UDP, or the default for the type.
public struct SocketProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw `IPPROTO_*` value.
    public var rawValue: Int32

    /// Wraps a raw `IPPROTO_*` value.
    ///
    /// - Parameter rawValue: the raw `IPPROTO_*` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// 0: the default protocol of the socket's family and type.
    public static let `default` = SocketProtocol(rawValue: 0)
    /// `IPPROTO_TCP`.
    public static let tcp = SocketProtocol(rawValue: Constants.ipproto_tcp)
    /// `IPPROTO_UDP`.
    public static let udp = SocketProtocol(rawValue: Constants.ipproto_udp)

    /// "tcp", "udp", "default" or "protocol N".
    public var description: String {
        switch self {
        case .tcp: "tcp"
        case .udp: "udp"
        case .default: "default"
        default: "protocol \(rawValue)"
        }
    }
}
