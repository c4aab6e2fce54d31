/// Flags that shape a name resolution (the `AI_*` flags of `getaddrinfo`).
public struct ResolverFlags: OptionSet, Hashable, Sendable {
    /// The raw `AI_*` bits.
    public var rawValue: Int32

    /// Wraps raw `AI_*` bits.
    ///
    /// - Parameter rawValue: the raw `AI_*` bits.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `AI_NUMERICHOST`: the host must be a numeric address; never ask a name service.
    public static let numericHost = ResolverFlags(rawValue: Constants.ai_numerichost)
    /// `AI_NUMERICSERV`: the service must be a port number.
    public static let numericService = ResolverFlags(rawValue: Constants.ai_numericserv)
    /// `AI_PASSIVE`: with no host, return wildcard addresses for binding a server.
    public static let passive = ResolverFlags(rawValue: Constants.ai_passive)
    /// `AI_ADDRCONFIG`: return a family only if this machine has an address of that family.
    public static let addressConfig = ResolverFlags(rawValue: Constants.ai_addrconfig)
    /// `AI_CANONNAME`: report the host's canonical name in the first result.
    public static let canonicalName = ResolverFlags(rawValue: Constants.ai_canonname)
    /// `AI_V4MAPPED`: with family IPv6, return IPv4-mapped addresses when there is no IPv6 one.
    public static let v4Mapped = ResolverFlags(rawValue: Constants.ai_v4mapped)
    /// `AI_ALL`: with `v4Mapped`, return both IPv6 and IPv4-mapped addresses.
    public static let all = ResolverFlags(rawValue: Constants.ai_all)
}
