// Happy Eyeballs v2 (RFC 8305) connection racing in the blocking API: no threads, no event loop.

extension Socket {
    /// Races connects to `addresses` per RFC 8305 and returns the first that connects, or `nil`
    /// when every attempt failed or `deadline` passed (each address's outcome is then in
    /// `attempts`).
    ///
    /// Addresses are interleaved by family (the first address's family first); one
    /// non-blocking `connect` starts, the next after `attemptDelay` or as soon as an attempt
    /// fails, and one `poll` watches every attempt in flight. The first to connect wins; every
    /// other socket is closed at once. The winner is left non-blocking: the caller sets its
    /// timeout.
    ///
    /// - Throws: ``SocketError`` only when `poll` itself fails (not for an attempt's failure).
    static func connectRacing(
        _ addresses: [SocketAddress], type: SocketType, attemptDelay: Duration,
        deadline: Deadline?, attempts: inout [ConnectAttempt],
        onAttempt: ((SocketAddress) -> Void)?
    ) throws(SocketError) -> Socket? {
        let delay = max(attemptDelay, ConnectStrategy.minimumAttemptDelay)
        let order = interleavedByFamily(addresses)
        var inFlight = PendingConnects(capacity: order.count)
        var next = 0
        var nextStart = Deadline.now
        while deadline.map({ !$0.hasPassed }) ?? true {
            if next < order.count && (inFlight.isEmpty || nextStart.hasPassed) {
                let address = order[next]
                next += 1
                onAttempt?(address)
                do throws(SocketError) {
                    let socket = try Socket(address.family, type)
                    try socket.setNonBlocking(true)
                    if try socket.startConnect(to: address) { return socket }
                    inFlight.append(socket, address)
                    nextStart = Deadline.after(delay)
                } catch {
                    attempts.append(ConnectAttempt(address: address, error: error))
                    nextStart = Deadline.now  // A failure starts the next attempt at once.
                }
                continue
            }
            if inFlight.isEmpty { return nil }
            var wake = next < order.count ? nextStart : nil
            if let deadline, wake.map({ deadline < $0 }) ?? true { wake = deadline }
            for index in try inFlight.ready(until: wake).reversed() {
                let address = inFlight.addresses[index]
                let socket = inFlight.remove(at: index)
                do throws(SocketError) {
                    try socket.finishConnect(to: address)
                    return socket
                } catch {
                    attempts.append(ConnectAttempt(address: address, error: error))
                    nextStart = Deadline.now
                }
            }
        }
        // Out of time: what is in flight timed out (and closes with `inFlight`), the rest
        // was never tried.
        attempts += inFlight.addresses.map(ConnectAttempt.timedOut)
        attempts += order[next...].map(ConnectAttempt.notTried)
        return nil
    }

    /// The addresses interleaved by family, RFC 8305 §4: the first address's family first, then
    /// alternating, each family keeping its own order.
    package static func interleavedByFamily(_ addresses: [SocketAddress]) -> [SocketAddress] {
        guard let first = addresses.first?.family else { return [] }
        let preferred = addresses.filter { $0.family == first }
        let others = addresses.filter { $0.family != first }
        var result: [SocketAddress] = []
        for index in 0..<max(preferred.count, others.count) {
            if index < preferred.count { result.append(preferred[index]) }
            if index < others.count { result.append(others[index]) }
        }
        return result
    }
}
