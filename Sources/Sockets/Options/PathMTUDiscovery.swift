/// How a socket treats the path MTU (`IP_MTU_DISCOVER`/`IPV6_MTU_DISCOVER`): whether its
/// datagrams may be fragmented.
public struct PathMTUDiscovery: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The C value (`IP_PMTUDISC_*`).
    public let rawValue: Int32

    /// Wraps a C value.
    ///
    /// - Parameter rawValue: an `IP_PMTUDISC_*` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Never set don't-fragment; datagrams over the MTU are fragmented (`IP_PMTUDISC_DONT`).
    public static let allowFragmentation = PathMTUDiscovery(rawValue: 0)
    /// The system default: follow the route's discovered MTU (`IP_PMTUDISC_WANT`).
    public static let routeDefault = PathMTUDiscovery(rawValue: 1)
    /// Always set don't-fragment: a datagram over the path MTU is refused with `EMSGSIZE`
    /// (`IP_PMTUDISC_DO`).
    public static let dontFragment = PathMTUDiscovery(rawValue: 2)
    /// Set don't-fragment but ignore the discovered MTU, for probing it (`IP_PMTUDISC_PROBE`).
    public static let probe = PathMTUDiscovery(rawValue: 3)

    /// The C name of the mode.
    public var description: String {
        switch rawValue {
        case 0: "IP_PMTUDISC_DONT"
        case 1: "IP_PMTUDISC_WANT"
        case 2: "IP_PMTUDISC_DO"
        case 3: "IP_PMTUDISC_PROBE"
        default: "IP_PMTUDISC \(rawValue)"
        }
    }
}
