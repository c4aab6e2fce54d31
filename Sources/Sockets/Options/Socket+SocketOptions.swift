// Socket-level options (SOL_SOCKET): each a getter property and a setter method.

extension Socket {
    /// Whether a listening address may be reused while old connections linger (`SO_REUSEADDR`).
    public var reuseAddress: Bool {
        get throws(SocketError) { try boolOption(Constants.sol_socket, Constants.so_reuseaddr, "SO_REUSEADDR") }
    }
    /// Sets ``reuseAddress``.
    ///
    /// - Parameter on: whether to allow it.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(SO_REUSEADDR)`.
    public borrowing func setReuseAddress(_ on: Bool) throws(SocketError) {
        try setBoolOption(Constants.sol_socket, Constants.so_reuseaddr, "SO_REUSEADDR", on)
    }

    /// Whether several sockets may bind the same address and port (`SO_REUSEPORT`).
    public var reusePort: Bool {
        get throws(SocketError) { try boolOption(Constants.sol_socket, Constants.so_reuseport, "SO_REUSEPORT") }
    }
    /// Sets ``reusePort``.
    ///
    /// - Parameter on: whether to allow it.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(SO_REUSEPORT)`.
    public borrowing func setReusePort(_ on: Bool) throws(SocketError) {
        try setBoolOption(Constants.sol_socket, Constants.so_reuseport, "SO_REUSEPORT", on)
    }

    /// Whether keep-alive probes are sent on an idle connection (`SO_KEEPALIVE`).
    public var keepAlive: Bool {
        get throws(SocketError) { try boolOption(Constants.sol_socket, Constants.so_keepalive, "SO_KEEPALIVE") }
    }
    /// Sets ``keepAlive``.
    ///
    /// - Parameter on: whether to send keep-alive probes.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(SO_KEEPALIVE)`.
    public borrowing func setKeepAlive(_ on: Bool) throws(SocketError) {
        try setBoolOption(Constants.sol_socket, Constants.so_keepalive, "SO_KEEPALIVE", on)
    }

    /// Whether datagrams may be sent to a broadcast address (`SO_BROADCAST`).
    public var broadcast: Bool {
        get throws(SocketError) { try boolOption(Constants.sol_socket, Constants.so_broadcast, "SO_BROADCAST") }
    }
    /// Sets ``broadcast``.
    ///
    /// - Parameter on: whether to allow broadcast.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(SO_BROADCAST)`.
    public borrowing func setBroadcast(_ on: Bool) throws(SocketError) {
        try setBoolOption(Constants.sol_socket, Constants.so_broadcast, "SO_BROADCAST", on)
    }

    /// The kernel's receive buffer size in bytes (`SO_RCVBUF`). Linux reports twice the value
    /// set, for its own bookkeeping.
    public var receiveBufferSize: Int {
        get throws(SocketError) { try intOption(Constants.sol_socket, Constants.so_rcvbuf, "SO_RCVBUF") }
    }
    /// Sets ``receiveBufferSize``, capped by `net.core.rmem_max`; with `force` (root only,
    /// Linux) it uses `SO_RCVBUFFORCE`, which ignores that cap.
    ///
    /// - Parameters:
    ///   - bytes: the size asked for; the kernel doubles it for bookkeeping.
    ///   - force: use `SO_RCVBUFFORCE` (needs `CAP_NET_ADMIN`).
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist. `.notPermitted` for `force` without the privilege.
    ///
    /// The corresponding C function is `setsockopt(SO_RCVBUF)`.
    public borrowing func setReceiveBufferSize(_ bytes: Int, force: Bool = false) throws(SocketError) {
        if force {
            try setIntOption(Constants.sol_socket, Constants.so_rcvbufforce, "SO_RCVBUFFORCE", bytes)
        } else {
            try setIntOption(Constants.sol_socket, Constants.so_rcvbuf, "SO_RCVBUF", bytes)
        }
    }

    /// The kernel's send buffer size in bytes (`SO_SNDBUF`); Linux reports twice the value set.
    public var sendBufferSize: Int {
        get throws(SocketError) { try intOption(Constants.sol_socket, Constants.so_sndbuf, "SO_SNDBUF") }
    }
    /// Sets ``sendBufferSize``.
    ///
    /// - Parameter bytes: the size asked for; the kernel doubles it for bookkeeping.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(SO_SNDBUF)`.
    public borrowing func setSendBufferSize(_ bytes: Int) throws(SocketError) {
        try setIntOption(Constants.sol_socket, Constants.so_sndbuf, "SO_SNDBUF", bytes)
    }

    /// How long `close` lingers to send queued data (`SO_LINGER`); `nil` when off. Zero makes
    /// `close` reset the connection.
    public var linger: Duration? {
        get throws(SocketError) {
            try withOption("getsockopt", "SO_LINGER") { () throws(Errno) in try Sys.lingerOption(descriptor) }
        }
    }
    /// Sets ``linger`` (whole seconds).
    ///
    /// - Parameter duration: how long `close` waits for unsent data, in whole seconds; `.zero` resets
    ///   the connection on close; `nil` turns lingering off.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(SO_LINGER)`.
    public borrowing func setLinger(_ duration: Duration?) throws(SocketError) {
        if let duration {
            let (seconds, attoseconds) = duration.components
            guard seconds >= 0, attoseconds == 0, seconds <= Int64(Int32.max) else {
                throw .invalid("setsockopt", "\(duration) is not a whole, non-negative number of seconds",
                               target: "SO_LINGER")
            }
        }
        try withOption("setsockopt", "SO_LINGER") { () throws(Errno) in try Sys.setLinger(descriptor, duration) }
    }

    /// The kernel's own receive timeout (`SO_RCVTIMEO`), `nil` for none. Prefer ``setTimeout(_:)``,
    /// which covers every operation; a receive that hits this one throws `.timeout`.
    public var receiveTimeout: Duration? {
        get throws(SocketError) {
            try withOption("getsockopt", "SO_RCVTIMEO") { () throws(Errno) in
                try Sys.timevalOption(descriptor, Constants.so_rcvtimeo)
            }
        }
    }
    /// Sets ``receiveTimeout``.
    ///
    /// - Parameter duration: the kernel's receive timeout; `nil` for none.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(SO_RCVTIMEO)`.
    public borrowing func setReceiveTimeout(_ duration: Duration?) throws(SocketError) {
        try setTimeval(Constants.so_rcvtimeo, "SO_RCVTIMEO", duration)
    }

    /// The kernel's own send timeout (`SO_SNDTIMEO`), `nil` for none.
    public var sendTimeout: Duration? {
        get throws(SocketError) {
            try withOption("getsockopt", "SO_SNDTIMEO") { () throws(Errno) in
                try Sys.timevalOption(descriptor, Constants.so_sndtimeo)
            }
        }
    }
    /// Sets ``sendTimeout``.
    ///
    /// - Parameter duration: the kernel's send timeout; `nil` for none.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a value out of range
    ///   (checked before the call where the range is known), `.optionNotAvailable` where the option
    ///   does not exist.
    ///
    /// The corresponding C function is `setsockopt(SO_SNDTIMEO)`.
    public borrowing func setSendTimeout(_ duration: Duration?) throws(SocketError) {
        try setTimeval(Constants.so_sndtimeo, "SO_SNDTIMEO", duration)
    }

    /// The pending error on the socket (`SO_ERROR`), such as a non-blocking connect's outcome;
    /// `nil` if none. Reading it clears it.
    public var pendingError: Errno? {
        get throws(SocketError) {
            let code = try intOption(Constants.sol_socket, Constants.so_error, "SO_ERROR")
            return code == 0 ? nil : Errno(rawValue: Int32(code))
        }
    }

    /// The socket's type (`SO_TYPE`): `.stream`, `.datagram`, ...
    public var type: SocketType {
        get throws(SocketError) {
            SocketType(rawValue: Int32(try intOption(Constants.sol_socket, Constants.so_type, "SO_TYPE")))
        }
    }

    private borrowing func setTimeval(_ name: Int32, _ cName: String, _ duration: Duration?) throws(SocketError) {
        if let duration, duration < .zero {
            throw .invalid("setsockopt", "negative timeout \(duration)", target: cName)
        }
        try withOption("setsockopt", cName) { () throws(Errno) in try Sys.setTimeval(descriptor, name, duration) }
    }
}
