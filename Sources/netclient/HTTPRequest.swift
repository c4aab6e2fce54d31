// The HTTP/1 request `netclient get` and `netclient load` send: GET by default (load: any
// method, extra headers, a body), HTTP/1.0 or HTTP/1.1, every part checked so that nothing a
// user types can split it or inject a line.

/// A request for one path, refused if any part could inject anything.
struct HTTPRequest {
    let path: String
    let hostHeader: String
    /// Whether to ask the server to keep the connection open: `Connection: keep-alive` in
    /// HTTP/1.0; in HTTP/1.1 persistence is the default and its absence says `Connection: close`.
    var keepAlive = false
    /// Whether to speak HTTP/1.1 (with its `Host` semantics and persistent connections).
    var http11 = false
    /// The method, checked by ``setMethod(_:)``.
    private(set) var method = "GET"
    /// Extra header lines ("Name: value"), checked by ``addHeader(_:)``.
    private(set) var headers: [String] = []
    /// The body, sent with its `Content-Length`.
    var body: [UInt8]?

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

    /// Whether the reply to this request has no body whatever its head says (HEAD).
    var expectsNoBody: Bool { method == "HEAD" }

    /// Sets the method: an HTTP token (letters, digits and ``!#$%&'*+-.^_`|~``), at most 32 bytes.
    ///
    /// - Throws: a usage failure naming what is wrong.
    mutating func setMethod(_ method: String) throws {
        guard !method.isEmpty, method.utf8.count <= 32, method.utf8.allSatisfy(Self.isTokenByte) else {
            throw Failure(.usage, "refusing method \(String(reflecting: method)): give an HTTP token such as GET or POST")
        }
        self.method = method
    }

    /// Adds a header line "Name: value": the name an HTTP token, the value without CR, LF or
    /// NUL. `Content-Length` and `Transfer-Encoding` are refused (the body sets its length).
    ///
    /// - Throws: a usage failure naming what is wrong.
    mutating func addHeader(_ line: String) throws {
        guard let colon = line.firstIndex(of: ":") else {
            throw Failure(.usage, "refusing header \(String(reflecting: line)): give 'Name: value'")
        }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingSpaces
        guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else {
            throw Failure(.usage, "refusing header \(String(reflecting: line)): its name is not an HTTP token")
        }
        guard !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
            throw Failure(.usage, "refusing header \(String(reflecting: line)): its value holds CR, LF or NUL")
        }
        guard !["content-length", "transfer-encoding"].contains(name.lowercased()) else {
            throw Failure(.usage, "refusing header \(name): --body sets the body's length")
        }
        guard line.utf8.count <= 8192, headers.count < 100 else {
            throw Failure(.usage, "refusing header \(name): at most 100 headers of 8192 bytes")
        }
        headers.append("\(name): \(value)")
    }

    /// The request head's text.
    var text: String {
        let overridden = Set(headers.map { $0.prefix { $0 != ":" }.lowercased() })
        var lines = ["\(method) \(path) HTTP/1.\(http11 ? 1 : 0)"]
        if !overridden.contains("host") { lines.append("Host: \(hostHeader)") }
        if !overridden.contains("user-agent") { lines.append("User-Agent: netclient") }
        if !overridden.contains("accept") { lines.append("Accept: */*") }
        if !overridden.contains("connection") {
            if keepAlive && !http11 { lines.append("Connection: keep-alive") }
            if !keepAlive && http11 { lines.append("Connection: close") }
        }
        lines += headers
        if let body { lines.append("Content-Length: \(body.count)") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    /// The whole request: the head, then the body.
    var bytes: [UInt8] { Array(text.utf8) + (body ?? []) }

    /// RFC 9110's tchar.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
