// The server side: bind, listen, accept. Tests and integration users need servers.

extension Socket {
    /// Binds the socket to a local address (port 0 picks a free port; read it back with
    /// ``localAddress``).
    ///
    /// The corresponding C function is `bind`.
    public borrowing func bind(to address: SocketAddress) throws(SocketError) {
        do throws(Errno) { try Sys.bind(descriptor, address) } catch {
            throw .system(error, "bind", address.description)
        }
    }

    /// Marks the socket as accepting connections, with room for `backlog` pending ones.
    ///
    /// The corresponding C function is `listen`.
    public borrowing func listen(backlog: Int32 = 128) throws(SocketError) {
        do throws(Errno) { try Sys.listen(descriptor, backlog) } catch {
            throw .system(error, "listen")
        }
    }

    /// Accepts one connection, waiting per the socket's ``timeout``. The new socket is
    /// close-on-exec and blocking (``Timeout/blocking``), as in Python.
    ///
    /// - Throws: ``SocketError``: `.system`, `.timeout`, `.wouldBlock`.
    ///
    /// The corresponding C function is `accept4` (with `SOCK_CLOEXEC`).
    public borrowing func accept() throws(SocketError) -> Socket {
        var deadline: Deadline? = nil
        let accepted = try withTimeout("accept", .readable, deadline: &deadline) { () throws(Errno) in
            try Sys.accept(descriptor).fd
        }
        return Socket(accepted: accepted)
    }

    /// A listening socket bound to `address`, with `SO_REUSEADDR` set (and `IPV6_V6ONLY` for
    /// IPv6): the usual server set-up in one call.
    ///
    /// Not one system call: `socket`, `setsockopt`, `bind`, `listen`.
    public static func listening(
        on address: SocketAddress, backlog: Int32 = 128
    ) throws(SocketError) -> Socket {
        let socket = try Socket(address.family, .stream)
        if address.family != .unix { try socket.setReuseAddress(true) }
        if address.family == .ipv6 { try socket.setIPv6Only(true) }
        try socket.bind(to: address)
        try socket.listen(backlog: backlog)
        return socket
    }
}
