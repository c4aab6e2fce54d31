// Connecting without blocking a thread: one address, a list, or a host and a port, with Happy
// Eyeballs as concurrent attempts under one deadline.

import Sockets
import Synchronization

extension AsyncSocket {
    /// Connects to `address`, suspending until the connection is set up or `timeout` passes.
    ///
    /// Not one system call: a non-blocking `connect`, a suspension until the reactor reports the
    /// socket writable, then `getsockopt(SO_ERROR)` for the outcome. On a timeout or a
    /// cancellation the attempt is abandoned and the socket is of no further use: close it.
    ///
    /// - Parameters:
    ///   - address: where to connect.
    ///   - timeout: the most to wait; `nil` means the socket's own ``timeout``.
    /// - Throws: `SocketError`: `.system(.connectionRefused)` and the like, `.timeout`,
    ///   `.cancelled`, or `.wouldBlock` on a non-blocking socket with no `timeout` given.
    ///
    /// The corresponding C functions are `connect` and `getsockopt(SO_ERROR)`.
    public borrowing func connect(to address: SocketAddress, timeout: Duration? = nil) async throws(SocketError) {
        var deadline: Deadline? = nil
        if let timeout {
            deadline = .after(timeout)
        } else if case .after(let own) = self.timeout {
            deadline = .after(own)
        }
        var seen = registration.sequence(.write)
        if try withSocket({ (socket) throws(SocketError) in try socket.startConnect(to: address) }) { return }
        if timeout == nil && self.timeout == .nonBlocking {
            throw SocketError(.wouldBlock, operation: "connect", target: address.description)
        }
        // Readiness reported before the connect started can wake the wait early: only a socket
        // that is writable (or failed) right now has finished connecting.
        while !((try? withSocket { $0.isWritableNow }) ?? true) {
            switch await registration.wait(.write, after: seen, deadline: deadline) {
            case .ready:
                seen = registration.sequence(.write)
            case .timedOut:
                var limit = timeout ?? .zero
                if timeout == nil, case .after(let own) = self.timeout { limit = own }
                throw SocketError(.timeout, operation: "connect", target: address.description,
                                  detail: "timed out after \(limit)")
            case .cancelled:
                throw SocketError(.cancelled, operation: "connect", target: address.description)
            case .closed:
                throw Self.closedError("connect")
            case .busy:
                throw Self.busyError("connect", .write)
            }
        }
        try withSocket { (socket) throws(SocketError) in try socket.finishConnect(to: address) }
    }

    /// A new async socket connected to `address`; the timeout stays on it for later operations.
    ///
    /// - Parameters:
    ///   - address: where to connect.
    ///   - type: `.stream` for TCP (the default), `.datagram` for UDP.
    ///   - timeout: the most the connect may take, then the socket's timeout; `nil` for none.
    /// - Returns: the connected socket.
    /// - Throws: `SocketError`: `.system`, `.timeout`, `.cancelled`.
    public static func connected(
        to address: SocketAddress, type: SocketType = .stream, timeout: Duration? = nil
    ) async throws(SocketError) -> AsyncSocket {
        var socket = try AsyncSocket(address.family, type)
        try socket.setTimeout(timeout.map { .after($0) } ?? .blocking)
        try await socket.connect(to: address)
        return socket
    }

    /// A new async socket connected to `host` on `port` (a number or a service name), trying
    /// every address the host resolves to; all attempts share one deadline.
    ///
    /// The service name and host are looked up first on the blocking pool (``AsyncResolver``:
    /// never on a reactor, so a slow name server holds up only this task; a numeric port or
    /// address needs no lookup), under the same deadline as the connects, which then suspend.
    /// When the deadline passes or the task is cancelled during a lookup, the call ends at once
    /// with `.timeout` or `.cancelled` and the lookup is abandoned.
    ///
    /// - Parameters:
    ///   - host: a name or a numeric address.
    ///   - port: "80", "http", ...
    ///   - type: `.stream` for TCP (the default), `.datagram` for UDP.
    ///   - family: only addresses of this family (`.unspecified` for all).
    ///   - timeout: the most the connects may take together, then the socket's timeout.
    ///   - strategy: `.sequential` (the default) or `.happyEyeballs` (concurrent attempts).
    ///   - onAttempt: called with each address as its attempt starts.
    /// - Returns: the connected socket.
    /// - Throws: `SocketError`: the resolution error, or one listing every attempt.
    public static func connected(
        toHost host: String, port: String, type: SocketType = .stream,
        family: AddressFamily = .unspecified, timeout: Duration? = nil,
        strategy: ConnectStrategy = .sequential, onAttempt: (@Sendable (SocketAddress) -> Void)? = nil
    ) async throws(SocketError) -> AsyncSocket {
        let deadline = timeout.map { Deadline.after($0) }
        let number = try await AsyncResolver.port(port, protocol: type == .datagram ? .udp : .tcp,
                                                  deadline: deadline, limit: timeout)
        let addresses = try await AsyncResolver.resolve(host, port: number, family: family, type: type,
                                                        deadline: deadline, limit: timeout)
        return try await connected(toAny: addresses, type: type, deadline: deadline, timeout: timeout, strategy: strategy,
                                   target: "\(host) port \(number)", onAttempt: onAttempt)
    }

    /// A new async socket connected to the first of `addresses` that accepts, under one deadline.
    ///
    /// `.sequential` tries one address after another. `.happyEyeballs` (RFC 8305) runs the
    /// attempts as concurrent child tasks: addresses interleaved by family, the next started
    /// after the attempt delay or as soon as one fails; the first to connect wins and the others
    /// are cancelled and closed. For a `.datagram` type it is sequential (nothing to race).
    ///
    /// - Parameters:
    ///   - addresses: where to connect, in order of preference.
    ///   - type: `.stream` for TCP (the default), `.datagram` for UDP.
    ///   - timeout: the most the connects may take together, then the socket's timeout.
    ///   - strategy: `.sequential` (the default) or `.happyEyeballs`.
    ///   - target: how errors name the destination; `nil` names the first address.
    ///   - onAttempt: called with each address as its attempt starts.
    /// - Returns: the connected socket.
    /// - Throws: `SocketError` listing every attempt; `.timeout` if time ran out,
    ///   `.cancelled` if the task was cancelled, else the last attempt's kind.
    public static func connected(
        toAny addresses: [SocketAddress], type: SocketType = .stream, timeout: Duration? = nil,
        strategy: ConnectStrategy = .sequential, target: String? = nil,
        onAttempt: (@Sendable (SocketAddress) -> Void)? = nil
    ) async throws(SocketError) -> AsyncSocket {
        try await connected(toAny: addresses, type: type, deadline: timeout.map { Deadline.after($0) }, timeout: timeout,
                            strategy: strategy, target: target, onAttempt: onAttempt)
    }

    /// ``connected(toAny:type:timeout:strategy:target:onAttempt:)`` under a `deadline` that
    /// may have started before (with the lookups), leaving `timeout` on the socket.
    static func connected(
        toAny addresses: [SocketAddress], type: SocketType, deadline: Deadline?, timeout: Duration?,
        strategy: ConnectStrategy, target: String?, onAttempt: (@Sendable (SocketAddress) -> Void)?
    ) async throws(SocketError) -> AsyncSocket {
        let own: Timeout = timeout.map { .after($0) } ?? .blocking
        var attempts: [ConnectAttempt] = []
        if case .happyEyeballs(let delay) = strategy, type == .stream {
            let race = ConnectRace(addresses: Socket.interleavedByFamily(addresses), type: type,
                                   delay: max(delay, ConnectStrategy.minimumAttemptDelay),
                                   deadline: deadline, onAttempt: onAttempt)
            if let winner = await race.run(attempts: &attempts) {
                return AsyncSocket(registration: winner, timeout: own)
            }
        } else {
            for address in addresses {
                if Task.isCancelled {
                    attempts.append(ConnectAttempt(address: address, error: SocketError(
                        .cancelled, operation: "connect", target: address.description)))
                    break
                }
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
                    var socket = try AsyncSocket(address.family, type)
                    try socket.setTimeout(own)
                    try await socket.connect(to: address, timeout: left)
                    return socket
                } catch {
                    attempts.append(ConnectAttempt(address: address, error: error))
                }
            }
        }
        var error = Socket.allFailed(attempts, target: target ?? addresses.first?.description)
        if Task.isCancelled || attempts.contains(where: { $0.error.kind == .cancelled }) { error.kind = .cancelled }
        throw error
    }
}

/// One Happy Eyeballs race as child tasks: each attempt connects its own socket; the parent
/// starts them on time, takes the first winner, and cancels the rest.
struct ConnectRace: Sendable {
    let addresses: [SocketAddress]
    let type: SocketType
    let delay: Duration
    let deadline: Deadline?
    let onAttempt: (@Sendable (SocketAddress) -> Void)?

    /// What a child task reports.
    enum Event: Sendable {
        case connected(Registration, SocketAddress)
        case failed(SocketAddress, SocketError)
        case nextDue
        case outOfTime
    }

    /// Runs the race: the winner's registration, or `nil` with every attempt's outcome in
    /// `attempts`. A loser's socket closes when its registration is dropped.
    func run(attempts: inout [ConnectAttempt]) async -> Registration? {
        await withTaskGroup(of: Event.self) { group in
            var next = 0
            var inFlight: [SocketAddress] = []
            func start(_ group: inout TaskGroup<Event>) {
                let address = addresses[next]
                next += 1
                inFlight.append(address)
                onAttempt?(address)
                let type = self.type
                group.addTask {
                    do throws(SocketError) {
                        let socket = try AsyncSocket(address.family, type)
                        try await socket.connect(to: address)
                        return .connected(socket.registration, address)
                    } catch {
                        return .failed(address, error)
                    }
                }
                if next < addresses.count {
                    let delay = self.delay
                    group.addTask {
                        try? await Task.sleep(for: delay)
                        return .nextDue
                    }
                }
            }
            if let deadline {
                group.addTask {
                    try? await Task.sleep(for: deadline.remaining)
                    return .outOfTime
                }
            }
            guard !addresses.isEmpty else { return nil }
            start(&group)
            while let event = await group.next() {
                switch event {
                case .connected(let winner, let address):
                    group.cancelAll()
                    inFlight.removeAll { $0 == address }
                    return winner
                case .failed(let address, let error):
                    inFlight.removeAll { $0 == address }
                    attempts.append(ConnectAttempt(address: address, error: error))
                    if next < addresses.count {
                        start(&group)
                    } else if inFlight.isEmpty {
                        group.cancelAll()
                        return nil
                    }
                case .nextDue:
                    if next < addresses.count && !Task.isCancelled { start(&group) }
                case .outOfTime:
                    group.cancelAll()
                    attempts += inFlight.map(ConnectAttempt.timedOut)
                    attempts += addresses[next...].map(ConnectAttempt.notTried)
                    inFlight.removeAll()
                    next = addresses.count
                    // A child that connected in the meantime closes with its dropped registration.
                    return nil
                }
            }
            return nil
        }
    }
}
