// The server side: bind, listen, accept. Tests and integration users need servers.

extension Socket {
    /// Binds the socket to a local address (port 0 picks a free port; read it back with
    /// ``localAddress``).
    ///
    /// - Parameter address: the local address and port.
    /// - Throws: ``SocketError`` of kind `.system`: `.addressInUse`, `.addressNotAvailable` (not an
    ///   address of this machine), `.permissionDenied` (a port below 1024 without the privilege),
    ///   `.nameTooLong` for a Unix path that does not fit.
    ///
    /// The corresponding C function is `bind`.
    public borrowing func bind(to address: SocketAddress) throws(SocketError) {
        do throws(Errno) { try Sys.bind(descriptor, address) } catch {
            throw .system(error, "bind", address.description)
        }
    }

    /// Marks the socket as accepting connections, with room for `backlog` pending ones.
    ///
    /// - Parameter backlog: the most connections the kernel queues before ``accept()`` takes
    ///   them; 0 to `Int32.max` (the kernel caps it at `net.core.somaxconn`).
    /// - Throws: ``SocketError``: `.system(.invalidArgument)` for a negative or too large
    ///   backlog (checked before any system call), or the call's `errno`.
    ///
    /// The corresponding C function is `listen`.
    public borrowing func listen(backlog: Int = 128) throws(SocketError) {
        guard let count = Int32(exactly: backlog), count >= 0 else {
            throw .invalid("listen", "backlog must be 0 to \(Int32.max), not \(backlog)")
        }
        do throws(Errno) { try Sys.listen(descriptor, count) } catch {
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
    ///
    /// - Parameters:
    ///   - address: where to listen; port 0 picks a free port (read it from ``localAddress``).
    ///   - backlog: the most connections the kernel queues; see ``listen(backlog:)``.
    /// - Returns: the listening socket, blocking.
    /// - Throws: ``SocketError`` from `socket`, `setsockopt`, `bind` or `listen`
    ///   (`.system(.addressInUse)`, ...).
    public static func listening(
        on address: SocketAddress, backlog: Int = 128
    ) throws(SocketError) -> Socket {
        let socket = try Socket(address.family, .stream)
        if address.family != .unix { try socket.setReuseAddress(true) }
        if address.family == .ipv6 { try socket.setIPv6Only(true) }
        try socket.bind(to: address)
        try socket.listen(backlog: backlog)
        return socket
    }
}
