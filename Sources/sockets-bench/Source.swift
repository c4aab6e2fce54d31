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
