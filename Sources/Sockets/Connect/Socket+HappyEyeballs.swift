// Happy Eyeballs v2 (RFC 8305) connection racing in the blocking API: no threads, no event loop.

extension Socket {
    /// Races connects to `addresses` per RFC 8305 and returns the first that connects.
    ///
    /// Not one system call: addresses are interleaved by family (the first address's family
    /// first); one non-blocking `connect` starts, the next after `attemptDelay` or as soon as an
    /// attempt fails, and one `poll` watches every pending attempt. The first to connect wins;
    /// every other socket is closed at once. The winner is blocking (``Timeout/blocking``).
    ///
    /// - Parameters:
    ///   - addresses: where to connect, in the resolver's order.
    ///   - type: the socket type (`.stream`).
    ///   - attemptDelay: the wait before starting the next attempt (at least 10 ms).
    ///   - timeout: one deadline for the whole race; `nil` for none.
    ///   - target: the host and port, for the error.
    ///   - onAttempt: called with each address as its attempt starts.
    /// - Throws: ``SocketError`` listing every address with its own error (not-tried ones
    ///   too); `.timeout` if time ran out, else the last failure's kind.
    static func connectRacing(
        _ addresses: [SocketAddress], type: SocketType, attemptDelay: Duration,
        timeout: Duration?, target: String?, onAttempt: ((SocketAddress) -> Void)?
    ) throws(SocketError) -> Socket {
        let delay = max(attemptDelay, ConnectStrategy.minimumAttemptDelay)
        let deadline = timeout.map { Deadline.after($0) }
        var race = Race(order: interleavedByFamily(addresses))
        defer { race.closeLosers() }
        var nextStart = Deadline.now
        while true {
            if let deadline, deadline.hasPassed { break }
            if race.hasNext && (race.pending.isEmpty || nextStart.hasPassed) {
                onAttempt?(race.order[race.next])
                if let winner = race.startNext(type: type) { return try race.finish(winner) }
                nextStart = Deadline.after(delay)
                continue
            }
            if race.pending.isEmpty { break }
            var wake = race.hasNext ? nextStart : deadline
            if let deadline, let until = wake, deadline < until { wake = deadline }
            let ready = race.waitForAny(until: wake)
            for (attempt, events) in ready where events != 0 {
                if let winner = race.complete(attempt) { return try race.finish(winner) }
                // A failure starts the next attempt at once.
                nextStart = Deadline.now
            }
        }
        race.timeOutPending()
        let timedOut = race.attempts.contains { $0.error.kind == .timeout }
        let kind = timedOut ? .timeout : race.attempts.last?.error.kind ?? .resolution(.noData)
        throw SocketError(kind, operation: "connect", target: target ?? addresses.first?.description,
                          detail: addresses.isEmpty ? "no addresses to try" : "every address failed",
                          attempts: race.attempts)
    }

    /// The addresses interleaved by family, RFC 8305 §4: the first address's family first, then
    /// alternating, each family keeping its own order.
    static func interleavedByFamily(_ addresses: [SocketAddress]) -> [SocketAddress] {
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

/// The state of one race: addresses still to try, attempts in flight (raw descriptors, closed
/// by the race unless they win), and every failure so far.
private struct Race {
    let order: [SocketAddress]
    var next = 0
    var pending: [(address: SocketAddress, fd: Int32)] = []
    var attempts: [ConnectAttempt] = []

    init(order: [SocketAddress]) { self.order = order }

    var hasNext: Bool { next < order.count }

    /// Starts the next address's non-blocking connect; returns its descriptor if it connected
    /// at once. A failure to start is recorded as that address's error.
    mutating func startNext(type: SocketType) -> Int32? {
        let address = order[next]
        next += 1
        let fd: Int32
        do throws(Errno) {
            fd = try Sys.socket(address.family.rawValue, type.rawValue, 0)
        } catch {
            attempts.append(ConnectAttempt(address: address, error: .system(error, "socket", address.description)))
            return nil
        }
        do throws(Errno) {
            try Sys.setNonBlocking(fd, true)
            try Sys.connect(fd, address)
            return fd
        } catch {
            if error == .inProgress || error == .interrupted || error == .wouldBlock {
                pending.append((address, fd))
            } else {
                try? Sys.close(fd)
                attempts.append(ConnectAttempt(address: address, error: .system(error, "connect", address.description)))
            }
            return nil
        }
    }

    /// Waits with one `poll` until an attempt is ready or `until` passes; returns each
    /// pending attempt's index with its ready events.
    func waitForAny(until: Deadline?) -> [(Int, Int16)] {
        let milliseconds = until?.pollMilliseconds ?? -1
        let events: [Int16]
        do throws(Errno) {
            events = try Sys.poll(pending.map(\.fd), events: Constants.pollout, timeoutMilliseconds: milliseconds)
        } catch {
            return []
        }
        return events.enumerated().map { ($0.offset, $0.element) }.reversed()
    }

    /// Settles a ready attempt: its descriptor if it connected, else records why and closes it.
    mutating func complete(_ index: Int) -> Int32? {
        let (address, fd) = pending.remove(at: index)
        let failure: Errno?
        do throws(Errno) { failure = try Sys.pendingError(fd) } catch { failure = error }
        guard let failure else { return fd }
        try? Sys.close(fd)
        attempts.append(ConnectAttempt(address: address, error: .system(failure, "connect", address.description)))
        return nil
    }

    /// The winner as a blocking socket (the race's `defer` closes the rest).
    func finish(_ fd: Int32) throws(SocketError) -> Socket {
        do throws(Errno) { try Sys.setNonBlocking(fd, false) } catch {
            try? Sys.close(fd)
            throw .system(error, "fcntl")
        }
        return Socket(accepted: fd)
    }

    /// Records every attempt still in flight as timed out, and every address never tried.
    mutating func timeOutPending() {
        for (address, _) in pending {
            attempts.append(ConnectAttempt(address: address, error: SocketError(
                .timeout, operation: "connect", target: address.description, detail: "timed out")))
        }
        closeLosers()
        while hasNext {
            attempts.append(ConnectAttempt(address: order[next], error: SocketError(
                .timeout, operation: "connect", target: order[next].description,
                detail: "not tried: no time left")))
            next += 1
        }
    }

    /// Closes every attempt still in flight.
    mutating func closeLosers() {
        for (_, fd) in pending { try? Sys.close(fd) }
        pending.removeAll()
    }
}
