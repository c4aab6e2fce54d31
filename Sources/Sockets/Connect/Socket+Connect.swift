// Connecting an existing socket to one address, under a timeout.

extension Socket {
    /// Connects to `address`, waiting at most `timeout`.
    ///
    /// Not one system call when it has to wait: with a limit (given here, or the socket's own
    /// ``Timeout/after(_:)``), it starts a non-blocking `connect`, waits with `poll` until the
    /// socket is writable or the time is up, then reads `SO_ERROR` for the outcome; the socket's
    /// blocking mode is restored afterwards. A signal during a blocking connect is handled the
    /// same way (the attempt goes on in the kernel). On a timeout the attempt is abandoned and
    /// the socket is of no further use: close it.
    ///
    /// - Parameters:
    ///   - address: where to connect.
    ///   - timeout: the most to wait; `nil` means the socket's own ``timeout`` (for a new
    ///     socket, ``Timeout/blocking``: no limit). The same meaning as the connect factories'.
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
        let wasBlocking = self.timeout == .blocking
        if limit != nil && wasBlocking { try setNonBlocking(true) }
        defer { if limit != nil && wasBlocking { try? setNonBlocking(false) } }

        if try startConnect(to: address) { return }
        if limit == .zero && timeout == nil {
            throw SocketError(.wouldBlock, operation: "connect", target: address.description)
        }
        do throws(SocketError) {
            try wait(for: .writable, until: limit.map { Deadline.after($0) }, operation: "connect",
                     limit: limit ?? .zero)
        } catch {
            var error = error
            error.target = address.description
            throw error
        }
        try finishConnect(to: address)
    }

    /// Starts a connect: `true` if it completed at once, `false` if it goes on in the kernel
    /// (`EINPROGRESS`, or a signal during a blocking connect).
    package borrowing func startConnect(to address: SocketAddress) throws(SocketError) -> Bool {
        do throws(Errno) {
            try Sys.connect(descriptor, address)
            return true
        } catch {
            guard error == .inProgress || error == .interrupted || error == .wouldBlock else {
                throw .system(error, "connect", address.description)
            }
            return false
        }
    }

    /// Reads the outcome of a connect that went on in the kernel, once the socket is writable.
    package borrowing func finishConnect(to address: SocketAddress) throws(SocketError) {
        if let pending = try pendingError {
            throw .system(pending, "connect", address.description)
        }
    }
}

extension Socket {
    /// Whether the socket is writable or has failed right now (a zero-timeout `poll`): for an
    /// async connect, proof that the connect has finished rather than a stale readiness report.
    package var isWritableNow: Bool {
        ((try? Sys.poll(descriptor, events: Constants.pollout, timeoutMilliseconds: 0)) ?? 1) != 0
    }
}
