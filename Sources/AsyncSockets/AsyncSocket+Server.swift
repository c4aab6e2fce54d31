// The server side: a listening async socket and accept without blocking a thread.

import Sockets

extension AsyncSocket {
    /// A listening async socket bound to `address` (`SO_REUSEADDR`, and `IPV6_V6ONLY` for IPv6).
    ///
    /// - Parameters:
    ///   - address: where to listen; port 0 picks a free port (read it from ``localAddress``).
    ///   - backlog: the most connections the kernel queues.
    /// - Returns: the listening socket.
    /// - Throws: `SocketError` from `socket`, `setsockopt`, `bind`, `listen` or the
    ///   registration.
    ///
    /// Not one system call: `socket`, `setsockopt`, `bind`, `listen`, `epoll_ctl`.
    public static func listening(on address: SocketAddress, backlog: Int = 128) throws(SocketError) -> AsyncSocket {
        try AsyncSocket(Socket.listening(on: address, backlog: backlog))
    }

    /// Accepts one connection, suspending until one arrives (per the socket's ``timeout``).
    /// The new socket is async too, with no timeout (`Timeout.blocking`).
    ///
    /// - Returns: the connection.
    /// - Throws: `SocketError`: `.system` (`EMFILE`, ...), `.timeout`, `.wouldBlock`,
    ///   `.cancelled`.
    ///
    /// The corresponding C function is `accept4` (with `SOCK_CLOEXEC`).
    public borrowing func accept() async throws(SocketError) -> AsyncSocket {
        var deadline: Deadline? = nil
        let descriptor = registration.descriptor
        let accepted = try await perform("accept", .read, deadline: &deadline) {
            Sys.acceptOrErrno(descriptor)
        }
        let socket = Socket(accepted: Int32(accepted))
        try socket.setNonBlocking(true)
        // A connection of the listener's kind (a TCP or Unix stream, or a sequenced-packet one),
        // on the next reactor in turn: connections spread over the cores.
        return AsyncSocket(registration: try ReactorGroup.shared.next().register(socket, isStream: registration.isStream),
                           timeout: .blocking)
    }
}
