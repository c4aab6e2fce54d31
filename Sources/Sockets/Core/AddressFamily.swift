/// A socket's address family (domain): IPv4, IPv6 or Unix.
public struct AddressFamily: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw `AF_*` value.
    public var rawValue: Int32

    /// Wraps a raw `AF_*` value.
    ///
    /// - Parameter rawValue: the raw `AF_*` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `AF_UNSPEC`: any family (for resolution filters).
    public static let unspecified = AddressFamily(rawValue: Constants.af_unspec)
    /// `AF_INET`: IPv4.
    public static let ipv4 = AddressFamily(rawValue: Constants.af_inet)
    /// `AF_INET6`: IPv6.
    public static let ipv6 = AddressFamily(rawValue: Constants.af_inet6)
    /// `AF_UNIX`: local (Unix-domain) sockets named by a path.
    public static let unix = AddressFamily(rawValue: Constants.af_unix)

    /// "IPv4", "IPv6", "Unix", "unspecified" or "family N".
    public var description: String {
        switch self {
        case .ipv4: "IPv4"
        case .ipv6: "IPv6"
        case .unix: "Unix"
        case .unspecified: "unspecified"
        default: "family \(rawValue)"
        }
    }
}
