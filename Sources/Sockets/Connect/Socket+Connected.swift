// The connect factories: a connected socket from one address, from a list, or from a host and
// a port, as Python's `socket.create_connection`.

extension Socket {
    /// A new socket connected to `address`: Python's `create_connection` for one address.
    ///
    ///     let socket = try Socket.connected(to: SocketAddress("127.0.0.1:8080"), timeout: .seconds(10))
    ///
    /// Not one system call: `socket`, then ``connect(to:timeout:)``. The timeout stays on the
    /// returned socket as its ``timeout`` for every later operation, as in Python; change it
    /// with ``setTimeout(_:)``.
    ///
    /// - Parameters:
    ///   - address: where to connect.
    ///   - type: `.stream` for TCP (the default), `.datagram` for UDP.
    ///   - timeout: the most the connect may take, then the socket's timeout; `nil` for none
    ///     (the socket stays ``Timeout/blocking``).
    /// - Returns: the connected socket.
    /// - Throws: ``SocketError``: `.system(.connectionRefused)` and the like, or `.timeout`.
    public static func connected(
        to address: SocketAddress, type: SocketType = .stream, timeout: Duration? = nil
    ) throws(SocketError) -> Socket {
        var socket = try Socket(address.family, type)
        if let timeout { try socket.setTimeout(.after(timeout)) }
        try socket.connect(to: address)
        return socket
    }

    /// A new socket connected to `host` on `port` (a number or a service name), trying every
    /// address the host resolves to until one connects; all attempts share one deadline.
    ///
    ///     let socket = try Socket.connected(toHost: "localhost", port: "http", timeout: .seconds(10))
    ///
    /// Not one system call: it resolves the port (``Service/port(_:protocol:)``: a number first,
    /// else a service name for the type's protocol), then the host (``Resolver``), then connects
    /// as ``connected(toAny:type:timeout:strategy:target:onAttempt:)`` does.
    ///
    /// - Parameters:
    ///   - host: a name or a numeric address.
    ///   - port: "80", "http", ...
    ///   - type: `.stream` for TCP (the default), `.datagram` for UDP.
    ///   - family: only addresses of this family (`.unspecified` for all).
    ///   - timeout: the most the connects may take together, then the returned socket's
    ///     timeout; `nil` for none. Resolution itself cannot be bounded and is not counted.
    ///   - strategy: `.sequential` (the default) or `.happyEyeballs` (RFC 8305 racing).
    ///   - onAttempt: called with each address as its attempt starts (for logging).
    /// - Returns: the connected socket.
    /// - Throws: ``SocketError``: the port or host resolution error, or, if every address
    ///   failed, an error whose ``SocketError/attempts`` lists each address and why, and whose
    ///   kind is `.timeout` if time ran out, else the last attempt's kind.
    public static func connected(
        toHost host: String, port: String, type: SocketType = .stream,
        family: AddressFamily = .unspecified, timeout: Duration? = nil,
        strategy: ConnectStrategy = .sequential, onAttempt: ((SocketAddress) -> Void)? = nil
    ) throws(SocketError) -> Socket {
        let number = try Service.port(port, protocol: type == .datagram ? .udp : .tcp)
        return try connected(toHost: host, port: number, type: type, family: family, timeout: timeout,
                             strategy: strategy, onAttempt: onAttempt)
    }

    /// A new socket connected to `host` on a numeric `port`; see
    /// ``connected(toHost:port:type:family:timeout:strategy:onAttempt:)-(_,String,_,_,_,_,_)``.
    ///
    /// - Parameters:
    ///   - host: a name or a numeric address.
    ///   - port: the port number.
    ///   - type: `.stream` for TCP (the default), `.datagram` for UDP.
    ///   - family: only addresses of this family (`.unspecified` for all).
    ///   - timeout: the most the connects may take together, then the returned socket's
    ///     timeout; `nil` for none.
    ///   - strategy: `.sequential` (the default) or `.happyEyeballs`.
    ///   - onAttempt: called with each address as its attempt starts (for logging).
    /// - Returns: the connected socket.
    /// - Throws: ``SocketError``: the resolution error, or every attempt's.
    public static func connected(
        toHost host: String, port: UInt16, type: SocketType = .stream,
        family: AddressFamily = .unspecified, timeout: Duration? = nil,
        strategy: ConnectStrategy = .sequential, onAttempt: ((SocketAddress) -> Void)? = nil
    ) throws(SocketError) -> Socket {
        let candidates = try Resolver.resolve(host, port: port, family: family, type: type)
        return try connected(toAny: candidates.map(\.address), type: type, timeout: timeout,
                             strategy: strategy, target: "\(host) port \(port)", onAttempt: onAttempt)
    }

    /// A new socket connected to the first of `addresses` that accepts, under one deadline.
    ///
    /// Not one system call. `.sequential`: one socket and one connect per address, in order,
    /// until one succeeds. `.happyEyeballs`: RFC 8305 racing (see ``ConnectStrategy``); for a
    /// `.datagram` type it is sequential, since a datagram connect only records the peer and
    /// never waits, so there is nothing to race. Sockets of failed attempts are closed at once.
    ///
    /// - Parameters:
    ///   - addresses: where to connect, in order of preference.
    ///   - type: `.stream` for TCP (the default), `.datagram` for UDP.
    ///   - timeout: the most the connects may take together, then the returned socket's
    ///     timeout; `nil` for none.
    ///   - strategy: `.sequential` (the default) or `.happyEyeballs`.
    ///   - target: how errors name the destination (such as "example.test port 80"); `nil`
    ///     names the first address.
    ///   - onAttempt: called with each address as its attempt starts (for logging).
    /// - Returns: the connected socket, with `timeout` as its ``timeout``.
    /// - Throws: ``SocketError`` listing every attempt in ``SocketError/attempts``; its kind is
    ///   `.timeout` if time ran out, else the last attempt's kind.
    public static func connected(
        toAny addresses: [SocketAddress], type: SocketType = .stream, timeout: Duration? = nil,
        strategy: ConnectStrategy = .sequential, target: String? = nil,
        onAttempt: ((SocketAddress) -> Void)? = nil
    ) throws(SocketError) -> Socket {
        let deadline = timeout.map { Deadline.after($0) }
        var attempts: [ConnectAttempt] = []
        var socket: Socket?
        if case .happyEyeballs(let delay) = strategy, type == .stream {
            socket = try connectRacing(addresses, type: type, attemptDelay: delay,
                                       deadline: deadline, attempts: &attempts, onAttempt: onAttempt)
        } else {
            socket = connectSequentially(addresses, type: type, deadline: deadline,
                                         attempts: &attempts, onAttempt: onAttempt)
        }
        guard var socket = socket.take() else {
            throw allFailed(attempts, target: target ?? addresses.first?.description)
        }
        try socket.setTimeout(timeout.map { .after($0) } ?? .blocking)
        return socket
    }

    /// One address after another under `deadline`; each failure goes into `attempts`.
    private static func connectSequentially(
        _ addresses: [SocketAddress], type: SocketType, deadline: Deadline?,
        attempts: inout [ConnectAttempt], onAttempt: ((SocketAddress) -> Void)?
    ) -> Socket? {
        for address in addresses {
            var left: Duration? = nil
            if let deadline {
                left = deadline.remaining
                guard left! > .zero else {
                    attempts.append(.notTried(address))
                    continue
                }
            }
            onAttempt?(address)
            do throws(SocketError) {
                let socket = try Socket(address.family, type)
                try socket.connect(to: address, timeout: left)
                return socket
            } catch {
                attempts.append(ConnectAttempt(address: address, error: error))
            }
        }
        return nil
    }

    /// The error of a connect over several addresses that all failed: `.timeout` if any
    /// attempt ran out of time, else the last attempt's kind; every attempt listed.
    package static func allFailed(_ attempts: [ConnectAttempt], target: String?) -> SocketError {
        let timedOut = attempts.contains { $0.error.kind == .timeout }
        let kind = timedOut ? .timeout : attempts.last?.error.kind ?? .resolution(.noData)
        return SocketError(kind, operation: "connect", target: target,
                           detail: attempts.isEmpty ? "no addresses to try" : "every address failed",
                           attempts: attempts)
    }
}

extension ConnectAttempt {
    /// An address left untried because the deadline had passed.
    package static func notTried(_ address: SocketAddress) -> ConnectAttempt {
        ConnectAttempt(address: address, error: SocketError(
            .timeout, operation: "connect", target: address.description, detail: "not tried: no time left"))
    }

    /// An attempt still in flight when the deadline passed.
    package static func timedOut(_ address: SocketAddress) -> ConnectAttempt {
        ConnectAttempt(address: address, error: SocketError(
            .timeout, operation: "connect", target: address.description, detail: "timed out"))
    }
}
