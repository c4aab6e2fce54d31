// echo-server [PORT]: an async TCP echo server on 127.0.0.1 (PORT 0, the default, takes any
// free port; the line "listening on ADDRESS" says which). The async runtime is installed as
// Swift's global executor at start-up, so every task runs on the reactors, one per core; each
// connection gets its own task. SIGINT or SIGTERM stops it gracefully: it stops accepting,
// gives the open connections 5 seconds to finish, closes what is left and exits 0.
//
//     swift run echo-server 7007 &
//     printf 'hello\n' | nc -q1 127.0.0.1 7007

import AsyncSockets
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct EchoServer {
    static func main() async {
        // First of all, before any other task starts: the reactors become the global executor.
        do {
            try AsyncRuntime.install()
        } catch {
            // The program works on Swift's own executor too, one hop per wake-up slower.
            report("running on Swift's default executor: \(error)")
        }

        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.count <= 1, let port = UInt16(arguments.first ?? "0") else {
            report("usage: echo-server [PORT]  (0 to 65535; 0 for any free port)")
            exit(64)
        }
        let listener: AsyncSocket
        do {
            listener = try AsyncSocket.listening(on: .ipv4(.loopback, port: port))
            say("listening on \(try listener.localAddress)")
        } catch {
            report("cannot listen: \(error)")
            exit(1)
        }

        let connections = Connections()
        let stop = StopSignal(listener: listener)

        await withDiscardingTaskGroup { group in
            while true {
                let connection: AsyncSocket
                do {
                    connection = try await listener.accept()
                } catch {
                    if stop.isStopping { break }
                    // Out of descriptors, say: report it, and go on after a pause.
                    report("accept: \(error)")
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                let id = connections.add(connection)
                group.addTask {
                    await echo(connection)
                    connections.remove(id)
                }
            }
            // Stopped accepting: the open connections have 5 s to end by themselves.
            let open = connections.count
            say("stopping: \(open) connection(s) open")
            if open > 0 {
                Task {
                    try? await Task.sleep(for: .seconds(5))
                    connections.closeAll()
                }
            }
        }
        say("stopped")
    }

    /// Sends back what arrives until the client closes its side, then closes.
    static func echo(_ connection: AsyncSocket) async {
        // One buffer per connection, reused for every receive.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16384, alignment: 16)
        defer {
            buffer.deallocate()
            connection.close()
        }
        do {
            while true {
                let count = try await connection.receive(into: buffer)
                if count == 0 { return }  // The client is done.
                try await connection.sendAll(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            }
        } catch where error.kind == .system(.badDescriptor) {
            // Closed by the shutdown: nothing to report.
        } catch {
            report("\(error)")
        }
    }
}

/// Prints `message` on standard error (one write, so lines from tasks do not mix).
func report(_ message: String) {
    var line = "echo-server: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Prints `message` on standard output at once (one write, no buffering: a test reads it).
func say(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
}

/// The open connections, so that a shutdown can close those that outstay it.
final class Connections: Sendable {
    private let open = Mutex<(next: Int, sockets: [Int: AsyncSocket])>((0, [:]))

    /// Adds `socket` and returns its key.
    func add(_ socket: AsyncSocket) -> Int {
        open.withLock { state in
            state.next += 1
            state.sockets[state.next] = socket
            return state.next
        }
    }

    /// Forgets the socket with `key`.
    func remove(_ key: Int) {
        _ = open.withLock { $0.sockets.removeValue(forKey: key) }
    }

    /// How many are open.
    var count: Int { open.withLock { $0.sockets.count } }

    /// Closes every one: their tasks' waits end at once.
    func closeAll() {
        for socket in open.withLock({ Array($0.sockets.values) }) { socket.close() }
    }
}

/// SIGINT and SIGTERM, turned from signals into a close of the listener: the accept loop's
/// wait ends and it sees `isStopping`. Dispatch handles the signals on its own thread.
final class StopSignal {
    /// Set by the handler, read by the accept loop.
    private final class Flag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    private let flag = Flag()
    private var sources: [any DispatchSourceSignal] = []

    init(listener: AsyncSocket) {
        let queue = DispatchQueue(label: "signals")
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)  // Delivered to the source instead.
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [flag] in
                flag.raised.store(true, ordering: .releasing)
                listener.close()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Whether a signal asked the server to stop.
    var isStopping: Bool { flag.raised.load(ordering: .acquiring) }
}
