/// An IPv4 or IPv6 address without a port: the local address a datagram arrived at, or the
/// source address to send one from.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address.
    case v4(IPv4Address)
    /// An IPv6 address.
    case v6(IPv6Address)

    /// Parses IPv4 or IPv6 text (`"127.0.0.1"`, `"::1"`); `nil` if it is neither.
    ///
    /// - Parameter text: the address, without a port or scope.
    public init?(_ text: String) {
        if let address = IPv4Address(text) {
            self = .v4(address)
        } else if let address = IPv6Address(text) {
            self = .v6(address)
        } else {
            return nil
        }
    }

    /// The family of the address: `.ipv4` or `.ipv6`.
    public var family: AddressFamily {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    /// The address in its usual text form.
    public var description: String {
        switch self {
        case .v4(let address): address.description
        case .v6(let address): address.description
        }
    }
}
