// IP-level options (IPPROTO_IP and IPPROTO_IPV6).

extension Socket {
    /// The time-to-live of outgoing IPv4 packets (`IP_TTL`), 1 to 255.
    public var timeToLive: Int {
        get throws(SocketError) { try intOption(Constants.ipproto_ip, Constants.ip_ttl, "IP_TTL") }
    }
    /// Sets ``timeToLive``.
    ///
    /// - Parameter ttl: hops, 1 to 255.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(IP_TTL)`.
    public borrowing func setTimeToLive(_ ttl: Int) throws(SocketError) {
        try setIntOption(Constants.ipproto_ip, Constants.ip_ttl, "IP_TTL", ttl)
    }

    /// The hop limit of outgoing IPv6 unicast packets (`IPV6_UNICAST_HOPS`), 1 to 255, or -1
    /// for the system default.
    public var unicastHops: Int {
        get throws(SocketError) {
            try intOption(Constants.ipproto_ipv6, Constants.ipv6_unicast_hops, "IPV6_UNICAST_HOPS")
        }
    }
    /// Sets ``unicastHops``.
    ///
    /// - Parameter hops: hops, 1 to 255, or -1 for the route's default.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(IPV6_UNICAST_HOPS)`.
    public borrowing func setUnicastHops(_ hops: Int) throws(SocketError) {
        try setIntOption(Constants.ipproto_ipv6, Constants.ipv6_unicast_hops, "IPV6_UNICAST_HOPS", hops)
    }

    /// Whether an IPv6 socket refuses IPv4-mapped traffic (`IPV6_V6ONLY`).
    public var ipv6Only: Bool {
        get throws(SocketError) { try boolOption(Constants.ipproto_ipv6, Constants.ipv6_v6only, "IPV6_V6ONLY") }
    }
    /// Sets ``ipv6Only`` (before `bind`).
    ///
    /// - Parameter on: whether the socket takes IPv6 only.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(IPV6_V6ONLY)`.
    public borrowing func setIPv6Only(_ on: Bool) throws(SocketError) {
        try setBoolOption(Constants.ipproto_ipv6, Constants.ipv6_v6only, "IPV6_V6ONLY", on)
    }
}
