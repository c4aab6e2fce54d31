import Sockets

/// A loopback listener whose accept queue is full, so a further connect to ``address`` never
/// completes: the way to get a connect timeout without leaving loopback.
///
/// It holds the listener and the connections that filled the queue, and closes them all when
/// it goes away.
public final class FullBacklogListener {
    /// The address whose connects time out.
    public let address: SocketAddress
    private let listener: Socket
    private var fillers: [Int32] = []

    /// Listens on `address` (loopback) with a backlog of 0 and connects until the queue is full.
    ///
    /// - Parameter address: a loopback address; port 0 picks a free port.
    /// - Throws: `SocketError` from the listen or from a filling connect that fails other than by
    ///   waiting, or `.system(.addressNotAvailable)` for a non-loopback address, or
    ///   `.system(.invalidArgument)` when the queue never fills.
    public init(on address: SocketAddress = .ipv4(.loopback, port: 0)) throws {
        guard address.isLoopback else {
            throw SocketError(.system(.addressNotAvailable), operation: "full backlog listener",
                              target: address.description, detail: "loopback only")
        }
        listener = try Socket.listening(on: address, backlog: 0)
        self.address = try listener.localAddress
        var full = false
        for index in 0..<64 where !full {
            let client = try Socket(self.address.family, .stream)
            do {
                // The first connect always fits (a backlog of 0 still queues one): a generous
                // limit, so that a loaded machine cannot make an empty queue look full. Later
                // ones stop at the first that waits; any other error is thrown.
                try client.connect(to: self.address, timeout: index == 0 ? .seconds(10) : .milliseconds(100))
                fillers.append(client.releaseDescriptor())
            } catch {
                guard index > 0, error.kind == .timeout else { throw error }
                full = true
            }
        }
        if !full {
            throw SocketError(.system(.invalidArgument), operation: "full backlog listener",
                              target: self.address.description, detail: "the accept queue never filled")
        }
    }

    deinit {
        for descriptor in fillers { _ = try? Socket(adopting: descriptor) }
    }
}
