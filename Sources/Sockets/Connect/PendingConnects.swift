// The connect attempts of a race that are still in flight, each an owned Socket.

/// Connect attempts in flight: owned sockets with the address each is connecting to. A socket
/// leaves by ``remove(at:)`` (to win or to fail); whatever is still here when the race ends is
/// closed by `deinit`, so no path can leak a descriptor.
struct PendingConnects: ~Copyable {
    /// Room for `capacity` sockets; the first `addresses.count` are initialized.
    private let sockets: UnsafeMutablePointer<Socket>
    private let capacity: Int
    /// The address of each socket, in the same order.
    private(set) var addresses: [SocketAddress] = []

    /// Room for `capacity` attempts (the race's address count).
    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        sockets = .allocate(capacity: self.capacity)
    }

    deinit {
        sockets.deinitialize(count: addresses.count)
        sockets.deallocate()
    }

    /// Whether no attempt is in flight.
    var isEmpty: Bool { addresses.isEmpty }

    /// Adds an attempt in flight.
    mutating func append(_ socket: consuming Socket, _ address: SocketAddress) {
        precondition(addresses.count < capacity, "more connect attempts than addresses")
        (sockets + addresses.count).initialize(to: socket)
        addresses.append(address)
    }

    /// Takes the attempt at `index` out of the race (its address is ``addresses``[index]).
    mutating func remove(at index: Int) -> Socket {
        let socket = (sockets + index).move()
        let moved = addresses.count - index - 1
        (sockets + index).moveInitialize(from: sockets + index + 1, count: moved)
        addresses.remove(at: index)
        return socket
    }

    /// Waits with one `poll` until an attempt is writable (connected or failed) or `until`
    /// passes (`nil`: no limit); returns the indices of the ready attempts, ascending. A signal
    /// returns none, so the caller re-checks its deadline.
    ///
    /// - Throws: ``SocketError`` when `poll` fails for any other reason.
    func ready(until: Deadline?) throws(SocketError) -> [Int] {
        let descriptors = (0..<addresses.count).map { sockets[$0].descriptor }
        let events: [Int16]
        do throws(Errno) {
            events = try Sys.poll(descriptors, events: Constants.pollout,
                                  timeoutMilliseconds: until?.pollMilliseconds ?? -1)
        } catch {
            if error == .interrupted { return [] }
            throw .system(error, "poll")
        }
        return events.indices.filter { events[$0] != 0 }
    }
}
