// http-get HOST PORT [PATH]: connects to HOST on PORT (a number, or a service name such as
// "http"), sends an HTTP/1.0 GET for PATH (/ by default) and streams the reply to standard
// output as it arrives. Every kind of failure gets its own message and exit code, netclient's:
//
//   2 port lookup   3 address resolution   4 connection   5 timeout   6 sending   7 receiving
//   64 usage
//
//     swift run http-get localhost 8080 /index.html

import Sockets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exit codes, one per kind of failure.
enum Exit: Int32 {
    case other = 1, portLookup = 2, resolution = 3, connection = 4, timeout = 5, sending = 6, receiving = 7
    case usage = 64
}

/// What the program was doing when an error came.
enum Step: String {
    case connecting, sending, receiving
}

/// Writes all of `bytes` to file descriptor `fd` (standard output is 1, standard error 2).
func write(_ bytes: UnsafeRawBufferPointer, to fd: Int32) {
    var offset = 0
    while offset < bytes.count {
        let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }  // A closed pipe: nothing more to do.
        offset += written
    }
}

/// Prints `message` on standard error and exits with `code`.
func fail(_ code: Exit, _ message: String) -> Never {
    var line = "http-get: \(message)\n"
    line.withUTF8 { write(UnsafeRawBufferPointer($0), to: 2) }
    exit(code.rawValue)
}

/// Exits with the message and code for `error`, which came while `step`: the error's kind
/// says which, and its description names the call, the address or host, and the reason.
func fail(_ error: SocketError, while step: Step) -> Never {
    switch error.kind {
    case .timeout:
        fail(.timeout, "timed out while \(step.rawValue): \(error)")
    case .resolution(.service):
        fail(.portLookup, "port lookup failed: \(error)")
    case let kind where kind.isResolution:
        fail(.resolution, "address resolution failed: \(error)")
    default:
        switch step {
        case .connecting: fail(.connection, "connection failed: \(error)")
        case .sending: fail(.sending, "sending failed: \(error)")
        case .receiving:
            // The receive loop reports what arrived before the failure.
            fail(.receiving, "receiving failed after \(error.bytesTransferred) bytes: \(error)")
        }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 || arguments.count == 3 else {
    fail(.usage, "usage: http-get HOST PORT [PATH]  (PORT: a number or a service name)")
}
let host = arguments[0], port = arguments[1], path = arguments.count == 3 ? arguments[2] : "/"
guard path.hasPrefix("/"), !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
    fail(.usage, "the path must start with / and hold no spaces or line breaks: \(path)")
}

// Every address the host resolves to, in turn, under one 10 s deadline; the timeout then
// stays on the socket for each send and receive, as Python's create_connection does.
let socket: Socket
do {
    socket = try Socket.connected(toHost: host, port: port, timeout: .seconds(10))
} catch {
    fail(error, while: .connecting)
}

do {
    try socket.sendAll("GET \(path) HTTP/1.0\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
} catch {
    fail(error, while: .sending)
}

// One buffer, reused for every chunk: no allocation per receive.
var buffer = ReceiveBuffer(capacity: 65536)
do {
    _ = try socket.receiveAll(using: &buffer) { chunk in
        chunk.withUnsafeBytes { bytes in write(bytes, to: 1) }
    }
} catch {
    fail(error, while: .receiving)
}
