// Connecting: to one address with a timeout, and to a host over all of its addresses.

extension Socket {
    /// Connects to `address`, waiting at most `timeout`.
    ///
    /// Not one system call when it has to wait: with a duration (given here, or the socket's own
    /// ``Timeout/after(_:)``), it starts a non-blocking `connect`, waits with `poll` until the
    /// socket is writable or the time is up, then reads `SO_ERROR` for the outcome; the socket's
    /// blocking mode is restored afterwards. A signal during a blocking connect is handled the
    /// same way (the attempt goes on in the kernel). On a timeout the attempt is abandoned and
    /// the socket is of no further use: close it.
    ///
    /// - Parameters:
    ///   - address: where to connect.
    ///   - timeout: the most to wait; `nil` uses the socket's ``timeout``.
    /// - Throws: ``SocketError``: `.system(.connectionRefused)` and the like, `.timeout`, or
    ///   `.wouldBlock` on a non-blocking socket with no `timeout` given (the connect goes on;
    ///   wait until writable and read ``pendingError``).
    ///
    /// The corresponding C functions are `connect`, `poll` and `getsockopt(SO_ERROR)`.
    public borrowing func connect(to address: SocketAddress, timeout: Duration? = nil) throws(SocketError) {
        let limit: Duration?
        switch (timeout, self.timeout) {
        case (let given?, _): limit = given
        case (nil, .after(let own)): limit = own
        case (nil, .nonBlocking): limit = .zero
        case (nil, .blocking): limit = nil
        }
        let deadline = limit.map { Deadline.after($0) }
        let wasBlocking = self.timeout == .blocking
        if limit != nil && wasBlocking { try setNonBlocking(true) }
        defer { if limit != nil && wasBlocking { try? setNonBlocking(false) } }

        do throws(Errno) {
            try Sys.connect(descriptor, address)
            return
        } catch {
            guard error == .inProgress || error == .interrupted || error == .wouldBlock else {
                throw .system(error, "connect", address.description)
            }
        }
        if limit == .zero && timeout == nil {
            throw SocketError(.wouldBlock, operation: "connect", target: address.description)
        }
        do throws(SocketError) {
            try wait(for: .writable, until: deadline, operation: "connect", limit: limit ?? .zero)
        } catch {
            var error = error
            error.target = address.description
            throw error
        }
        if let pending = try pendingError {
            throw .system(pending, "connect", address.description)
        }
    }

    /// Connects to `host` on `port` (a number or a service name), trying every address the host
    /// resolves to, in order, until one connects; all attempts share one deadline.
    ///
    /// Not one system call: it resolves the port (``Service/port(_:protocol:)``: a number first,
    /// else a service name for the type's protocol), then the host (``Resolver``), then creates
    /// one socket per address and connects it with what is left of `timeout`. Sockets of failed
    /// attempts are closed at once; the returned socket is connected and blocking.
    ///
    /// - Parameters:
    ///   - host: a name or a numeric address.
    ///   - port: "80", "http", ...
    ///   - type: `.stream` for TCP (the default), `.datagram` for UDP.
    ///   - family: only addresses of this family (`.unspecified` for all).
    ///   - timeout: the most the connects may take together; `nil` to wait as long as each takes.
    ///     Resolution itself cannot be bounded and is not counted.
    ///   - strategy: `.sequential` (the default) or `.happyEyeballs` (RFC 8305 racing).
    /// - Throws: ``SocketError``: the port or host resolution error, or, if every address
    ///   failed, an error whose ``SocketError/attempts`` lists each address and why, and whose
    ///   kind is `.timeout` if time ran out, else the last attempt's kind.
    public static func connect(
        toHost host: String, port: String, type: SocketType = .stream,
        family: AddressFamily = .unspecified, timeout: Duration? = nil,
        strategy: ConnectStrategy = .sequential
    ) throws(SocketError) -> Socket {
        let number = try Service.port(port, protocol: type == .datagram ? .udp : .tcp)
        return try connect(toHost: host, port: number, type: type, family: family, timeout: timeout,
                           strategy: strategy)
    }

    /// Connects to `host` on a numeric `port`; see
    /// ``connect(toHost:port:type:family:timeout:strategy:)-(_,String,_,_,_,_)``.
    public static func connect(
        toHost host: String, port: UInt16, type: SocketType = .stream,
        family: AddressFamily = .unspecified, timeout: Duration? = nil,
        strategy: ConnectStrategy = .sequential
    ) throws(SocketError) -> Socket {
        let candidates = try Resolver.resolve(host, port: port, family: family, type: type)
        return try connect(toAny: candidates.map(\.address), type: type, timeout: timeout,
                           strategy: strategy, target: "\(host) port \(port)")
    }

    /// Connects to the first of `addresses` that accepts, under one deadline.
    ///
    /// Not one system call. `.sequential`: one socket and one ``connect(to:timeout:)`` per
    /// address, in order, until one succeeds. `.happyEyeballs`: RFC 8305 racing (see
    /// ``ConnectStrategy``). Sockets of failed attempts are closed at once.
    ///
    /// - Parameters:
    ///   - onAttempt: called with each address as its attempt starts (for logging).
    /// - Throws: ``SocketError`` listing every attempt (see
    ///   ``connect(toHost:port:type:family:timeout:strategy:)-(_,String,_,_,_,_)``).
    public static func connect(
        toAny addresses: [SocketAddress], type: SocketType = .stream, timeout: Duration? = nil,
        strategy: ConnectStrategy = .sequential, target: String? = nil,
        onAttempt: ((SocketAddress) -> Void)? = nil
    ) throws(SocketError) -> Socket {
        if case .happyEyeballs(let delay) = strategy, type == .stream {
            return try connectRacing(addresses, type: type, attemptDelay: delay, timeout: timeout,
                                     target: target, onAttempt: onAttempt)
        }
        let deadline = timeout.map { Deadline.after($0) }
        var attempts: [ConnectAttempt] = []
        for address in addresses {
            var left: Duration? = nil
            if let deadline {
                left = deadline.remaining
                if left! <= .zero {
                    attempts.append(ConnectAttempt(address: address, error: SocketError(
                        .timeout, operation: "connect", target: address.description,
                        detail: "not tried: no time left")))
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
        let timedOut = attempts.contains { $0.error.kind == .timeout }
        let kind = timedOut ? .timeout : attempts.last?.error.kind ?? .resolution(.noData)
        throw SocketError(kind, operation: "connect", target: target ?? addresses.first?.description,
                          detail: attempts.isEmpty ? "no addresses to try" : "every address failed",
                          attempts: attempts)
    }
}
