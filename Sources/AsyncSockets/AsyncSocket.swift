// The async socket: a Socket registered with the reactor, whose waits suspend the task instead
// of blocking a thread.

import Sockets

/// A socket whose operations suspend the calling task instead of blocking its thread.
///
/// It owns a `Socket` and its registration with the reactor. Every operation that can
/// wait has the blocking API's name and shape, `async`: it tries the system call first and
/// suspends only when the call would block, so a receive whose data is already waiting costs
/// one system call and no allocation.
///
/// Unlike the blocking `Socket` it is a copyable, `Sendable` handle, so a connection
/// can be handed to the task that serves it, and one task can receive while another sends. The
/// socket closes when the last copy goes, or for every copy at ``close()``. At most one task may
/// wait to receive and one to send at a time; a second one gets an error instead of a hang.
///
///     let socket = try await AsyncSocket.connected(toHost: "localhost", port: "http", timeout: .seconds(10))
///     try await socket.sendAll("GET / HTTP/1.0\r\n\r\n".utf8)
///     let reply = try await socket.receiveAll(maxCount: 1 << 20)
///
/// Timeouts keep the blocking API's meaning: ``timeout`` applies to each operation (`.timeout`
/// kind when it expires), `Timeout.nonBlocking` throws `.wouldBlock` instead of
/// waiting. Cancelling the task of a suspended operation resumes it at once with a
/// `.cancelled` `SocketError` whose `bytesTransferred` counts what had moved.
public struct AsyncSocket: Sendable {
    /// The socket, its readiness and its waiters; the socket closes when the last reference
    /// to it goes.
    let registration: Registration

    /// How long each operation may wait; see ``setTimeout(_:)``.
    public private(set) var timeout: Timeout

    /// Makes `socket` async: sets its descriptor non-blocking and registers it with the reactor
    /// (which starts on first use).
    ///
    /// - Parameters:
    ///   - socket: the socket to own.
    ///   - timeout: how long each operation may wait; `nil` keeps the socket's own
    ///     `Socket.timeout`.
    /// - Throws: `SocketError` of kind `.system` if the descriptor cannot be made
    ///   non-blocking or registered (`ENOMEM`, `ENOSPC` past the kernel's epoll limit).
    ///
    /// The corresponding C functions are `fcntl(F_SETFL, O_NONBLOCK)` and `epoll_ctl(EPOLL_CTL_ADD)`.
    public init(_ socket: consuming Socket, timeout: Timeout? = nil) throws(SocketError) {
        let own = timeout ?? socket.timeout
        try socket.setNonBlocking(true)
        let family = (try? socket.localAddress)?.family ?? .unix  // Unknown: no short-read shortcut.
        registration = try ReactorGroup.shared.forNewSocket().register(
            socket, isStream: (try? socket.type) == .stream && family != .unix)
        self.timeout = own
    }

    /// Wraps a registration, for a socket the race or accept already registered.
    init(registration: Registration, timeout: Timeout) {
        self.registration = registration
        self.timeout = timeout
    }

    /// Creates a socket and makes it async.
    ///
    /// - Parameters:
    ///   - family: `.ipv4`, `.ipv6` or `.unix`.
    ///   - type: `.stream` or `.datagram`.
    ///   - protocol: `.tcp`, `.udp`, or `.default`.
    /// - Throws: `SocketError` of kind `.system` from `socket` or the registration.
    ///
    /// The corresponding C functions are `socket` and `epoll_ctl(EPOLL_CTL_ADD)`.
    public init(
        _ family: AddressFamily, _ type: SocketType, _ protocol: SocketProtocol = .default
    ) throws(SocketError) {
        // Non-blocking from the start and of a known type: no fcntl, no getsockopt.
        let socket = try Socket(family, type, `protocol`, nonBlocking: true)
        registration = try ReactorGroup.shared.forNewSocket().register(socket, isStream: type == .stream && family != .unix)
        timeout = .blocking
    }

    /// Sets how long each operation may wait: `Timeout.blocking` waits as long as it
    /// takes (suspended, not blocking a thread), `Timeout.nonBlocking` never waits,
    /// `Timeout.after(_:)` waits at most that long per operation.
    ///
    /// - Parameter timeout: the new timeout; a zero duration means non-blocking.
    /// - Throws: `SocketError` of kind `.system(.invalidArgument)` for a negative
    ///   duration.
    public mutating func setTimeout(_ timeout: Timeout) throws(SocketError) {
        if case .after(let duration) = timeout {
            guard duration >= .zero else {
                throw SocketError(.system(.invalidArgument), operation: "settimeout",
                                  detail: "negative timeout \(duration)")
            }
            if duration == .zero {
                self.timeout = .nonBlocking
                return
            }
        }
        self.timeout = timeout
    }

    /// Calls `body` with the socket underneath, for the calls with no async form (options,
    /// addresses). Do not close it; its descriptor stays non-blocking.
    ///
    /// - Parameter body: the work to do with the socket.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    public borrowing func withSocket<R>(
        _ body: (borrowing Socket) throws(SocketError) -> R
    ) throws(SocketError) -> R {
        try registration.withSocket(body)
    }

    /// The address this socket is bound to.
    ///
    /// - Throws: `SocketError` of kind `.system`.
    ///
    /// The corresponding C function is `getsockname`.
    public var localAddress: SocketAddress {
        get throws(SocketError) { try withSocket { (socket) throws(SocketError) in try socket.localAddress } }
    }

    /// The address of the connected peer.
    ///
    /// - Throws: `SocketError` of kind `.system(.notConnected)` if there is none.
    ///
    /// The corresponding C function is `getpeername`.
    public var remoteAddress: SocketAddress {
        get throws(SocketError) { try withSocket { (socket) throws(SocketError) in try socket.remoteAddress } }
    }

    /// Closes one or both directions of the connection.
    ///
    /// - Parameter direction: `.read`, `.write` or `.both`.
    /// - Throws: `SocketError` of kind `.system` (`ENOTCONN`).
    ///
    /// The corresponding C function is `shutdown`.
    public borrowing func shutdown(_ direction: ShutdownDirection) throws(SocketError) {
        try withSocket { (socket) throws(SocketError) in try socket.shutdown(direction) }
    }

    /// Closes the socket for every copy: shuts down both directions, leaves the reactor, and
    /// resumes any task waiting on it (with `.system(.badDescriptor)`, "the socket was
    /// closed"). Later operations see end of stream or `EPIPE` (`EINVAL` for an accept on a
    /// listener), never a reused descriptor: the descriptor itself is closed when the last copy
    /// goes.
    ///
    /// The corresponding C functions are `shutdown`, `epoll_ctl(EPOLL_CTL_DEL)` and (with the
    /// last copy) `close`.
    public func close() {
        registration.close()
    }

    /// The error for a failed call, naming the peer where there is one.
    func failure(_ errno: Errno, _ operation: StaticString) -> SocketError {
        registration.withSocket { socket in socket.failure(errno, operation) }
    }

    /// The peer's address as text, for errors.
    var peerText: String? {
        registration.withSocket { socket in socket.peerText }
    }
}
