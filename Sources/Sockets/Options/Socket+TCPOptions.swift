// TCP-level options (IPPROTO_TCP).

extension Socket {
    /// Whether small segments are sent at once instead of being coalesced (`TCP_NODELAY`,
    /// which turns Nagle's algorithm off).
    public var noDelay: Bool {
        get throws(SocketError) { try boolOption(Constants.ipproto_tcp, Constants.tcp_nodelay, "TCP_NODELAY") }
    }
    /// Sets ``noDelay``.
    ///
    /// - Parameter on: whether to send small segments at once (no Nagle delay).
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(TCP_NODELAY)`.
    public borrowing func setNoDelay(_ on: Bool) throws(SocketError) {
        try setBoolOption(Constants.ipproto_tcp, Constants.tcp_nodelay, "TCP_NODELAY", on)
    }

    /// How long a connection stays idle before the first keep-alive probe (`TCP_KEEPIDLE`,
    /// `TCP_KEEPALIVE` on Darwin), in whole seconds.
    public var keepAliveIdle: Duration {
        get throws(SocketError) {
            .seconds(try intOption(Constants.ipproto_tcp, Constants.tcp_keepidle, "TCP_KEEPIDLE"))
        }
    }
    /// Sets ``keepAliveIdle``.
    ///
    /// - Parameter idle: idle time before the first probe, in whole seconds.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(TCP_KEEPIDLE)`.
    public borrowing func setKeepAliveIdle(_ idle: Duration) throws(SocketError) {
        try setSecondsOption(Constants.ipproto_tcp, Constants.tcp_keepidle, "TCP_KEEPIDLE", idle)
    }

    /// The time between keep-alive probes (`TCP_KEEPINTVL`), in whole seconds.
    public var keepAliveInterval: Duration {
        get throws(SocketError) {
            .seconds(try intOption(Constants.ipproto_tcp, Constants.tcp_keepintvl, "TCP_KEEPINTVL"))
        }
    }
    /// Sets ``keepAliveInterval``.
    ///
    /// - Parameter interval: time between probes, in whole seconds.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(TCP_KEEPINTVL)`.
    public borrowing func setKeepAliveInterval(_ interval: Duration) throws(SocketError) {
        try setSecondsOption(Constants.ipproto_tcp, Constants.tcp_keepintvl, "TCP_KEEPINTVL", interval)
    }

    /// How many unanswered keep-alive probes drop the connection (`TCP_KEEPCNT`).
    public var keepAliveCount: Int {
        get throws(SocketError) { try intOption(Constants.ipproto_tcp, Constants.tcp_keepcnt, "TCP_KEEPCNT") }
    }
    /// Sets ``keepAliveCount``.
    ///
    /// - Parameter count: probes before the connection is dropped.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(TCP_KEEPCNT)`.
    public borrowing func setKeepAliveCount(_ count: Int) throws(SocketError) {
        try setIntOption(Constants.ipproto_tcp, Constants.tcp_keepcnt, "TCP_KEEPCNT", count)
    }
}
