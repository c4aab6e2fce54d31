/// Port lookup: a port given as a number or as a service name ("http", "domain").
///
///     try Service.port("8080", protocol: .tcp)   // 8080
///     try Service.port("http", protocol: .tcp)   // 80
///     Service.name(ofPort: 53, protocol: .udp)   // "domain"
public enum Service {
    /// The transport protocol a service name is looked up for.
    public enum TransportProtocol: String, Sendable, Hashable {
        /// TCP, for stream sockets.
        case tcp
        /// UDP, for datagram sockets.
        case udp
    }

    /// The port that `text` names: a number first (only ASCII digits, 0 to 65535), otherwise a
    /// service name looked up for `protocol` in the services database (`/etc/services`).
    ///
    /// - Parameters:
    ///   - text: "80", "8080", "http", "domain", ...
    ///   - protocol: which protocol's entry to look the name up in.
    /// - Returns: the port, in host byte order.
    /// - Throws: ``SocketError`` of kind `.resolution(.service)` naming the problem: the text is
    ///   empty, is all digits but above 65535, holds a NUL byte, or is no known service name.
    ///
    /// The corresponding C function is `getservbyname` (its thread-safe `_r` form on glibc).
    public static func port(
        _ text: String, protocol: TransportProtocol = .tcp
    ) throws(SocketError) -> UInt16 {
        func failure(_ detail: String) -> SocketError {
            SocketError(.resolution(.service), operation: "service lookup",
                        target: "\"\(text)\"/\(`protocol`.rawValue)", detail: detail)
        }
        if text.isEmpty { throw failure("empty port or service name") }
        if let number = portNumber(Substring(text)) { return number }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            throw failure("port number out of range (0 to 65535)")
        }
        if text.utf8.contains(0) { throw failure("service name contains a NUL byte") }
        guard let port = Sys.servicePort(text, protocol: `protocol`.rawValue) else {
            throw failure("unknown service name")
        }
        return port
    }

    /// The service name registered for `port` and `protocol`, or `nil` if it has none.
    ///
    /// - Parameters:
    ///   - port: the port number.
    ///   - protocol: `.tcp` or `.udp`.
    ///
    /// The corresponding C function is `getservbyport` (its thread-safe `_r` form on glibc).
    public static func name(ofPort port: UInt16, protocol: TransportProtocol = .tcp) -> String? {
        Sys.serviceName(port, protocol: `protocol`.rawValue)
    }

    /// `text` as a port number if it is only ASCII digits with a value up to 65535.
    static func portNumber(_ text: Substring) -> UInt16? {
        guard !text.isEmpty else { return nil }
        var value: UInt32 = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt32(byte - UInt8(ascii: "0"))
            guard value <= 65535 else { return nil }
        }
        return UInt16(value)
    }
}
