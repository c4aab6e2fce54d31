// The traffic source: a separate process running the C source loop, pinned to CPU 0.

import BenchC
import Foundation
import Sockets

/// `sockets-bench source`: listen on 127.0.0.1, print the port, serve until idle.
func runSourceProcess(connections: Int32) throws -> Never {
    _ = bench_pin_to_cpu(0)
    let listener = try Socket.listening(on: .ipv4(.loopback, port: 0), backlog: 8)
    print(try listener.localAddress.port!)
    fflush(nil)
    let status = listener.withUnsafeDescriptor { bench_source_serve($0, connections, 256 * 1024, 30_000) }
    exit(status == 0 ? 0 : 1)
}

/// A running source process; stops when told, and by itself after 30 s without clients.
final class SourceProcess {
    let port: UInt16
    private let process: Process

    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["source"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = UInt16(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw SocketError(.system(.invalidArgument), operation: "start source", detail: "no port: \(line)")
        }
        self.port = port
    }

    /// Ends the source process (by its pid).
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
