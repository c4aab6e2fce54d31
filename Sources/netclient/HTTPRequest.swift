// The HTTP/1.0 request `netclient get` and `netclient load` send.

/// A GET request for one path, refused if the path could inject anything.
struct HTTPRequest {
    let path: String
    let hostHeader: String
    /// Whether to ask the server to keep the connection open (`Connection: keep-alive`).
    var keepAlive = false

    /// A request for `path` on `host` (and `port`, when not 80).
    ///
    /// - Throws: a usage failure if the path holds CR, LF, NUL or a space, or is too long.
    init(path: String, host: String, port: UInt16) throws {
        for (byte, name) in [(UInt8(ascii: "\r"), "CR"), (UInt8(ascii: "\n"), "LF"), (0, "NUL"),
                             (UInt8(ascii: " "), "a space")] where path.utf8.contains(byte) {
            throw Failure(.usage, "refusing path \(String(reflecting: path)): it holds \(name)")
        }
        guard path.utf8.count <= 8192 else { throw Failure(.usage, "path longer than 8192 bytes") }
        self.path = path.isEmpty ? "/" : path
        let shownHost = host.contains(":") ? "[\(host)]" : host
        hostHeader = port == 80 ? shownHost : "\(shownHost):\(port)"
    }

    /// The request's bytes.
    var text: String {
        "GET \(path) HTTP/1.0\r\nHost: \(hostHeader)\r\nUser-Agent: netclient\r\nAccept: */*\r\n"
            + (keepAlive ? "Connection: keep-alive\r\n\r\n" : "\r\n")
    }
}
