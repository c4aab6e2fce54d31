/// The address of a socket endpoint: an IPv4 or IPv6 address with a port, or a Unix path.
///
///     let server = try SocketAddress("127.0.0.1:8080")
///     let local = try SocketAddress("[::1]:8080")
///     let file = SocketAddress.unix(path: "/tmp/app.sock")
public enum SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address and port (`sockaddr_in`).
    case ipv4(IPv4Address, port: UInt16)
    /// An IPv6 address and port, with flow information and scope (interface) id (`sockaddr_in6`).
    case ipv6(IPv6Address, port: UInt16, flowInfo: UInt32 = 0, scopeID: UInt32 = 0)
    /// A Unix-domain socket path (`sockaddr_un`).
    case unix(path: String)

    /// Parses numeric text: "127.0.0.1", "127.0.0.1:80", "::1", "[::1]:8080", "[fe80::1%2]:80",
    /// "[fe80::1%lo]:80". Without a port in the text, `port` is used. Never resolves a name.
    ///
    /// The forms, and nothing else: an IPv4 address as ``IPv4Address/init(_:)`` reads it,
    /// optionally followed by ":" and a port; an IPv6 address as ``IPv6Address/init(_:)`` reads
    /// it, optionally followed by a scope, bare or in brackets, and with brackets optionally
    /// followed by ":" and a port. A port is decimal digits only, 0 to 65535. A scope is "%"
    /// followed by decimal digits only (an interface index, at most `UInt32.max`), or, for a
    /// link-local address (fe80::/10, ff01::/16, ff02::/16), by the name of an interface that
    /// exists: the forms glibc's own parser accepts.
    ///
    /// - Parameters:
    ///   - text: the address text.
    ///   - port: the port when the text has none.
    /// - Throws: ``SocketError`` of kind `.resolution(.noName)` when the text is not a numeric
    ///   address, or `.resolution(.service)` when its port is not a number from 0 to 65535.
    public init(_ text: String, port: UInt16 = 0) throws(SocketError) {
        func failure(_ detail: String, _ code: ResolutionErrorCode = .noName) -> SocketError {
            SocketError(.resolution(code), operation: "parse address", target: "\"\(text)\"",
                        detail: detail)
        }
        var host = Substring(text)
        var port = port
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                throw failure("missing ']' after an IPv6 address")
            }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw failure("unexpected text after ']'") }
                guard let number = Service.portNumber(rest.dropFirst()) else {
                    throw failure("port is not a number from 0 to 65535", .service)
                }
                port = number
            }
        } else if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon {
            guard let number = Service.portNumber(host[host.index(after: colon)...]) else {
                throw failure("port is not a number from 0 to 65535", .service)
            }
            port = number
            host = host[..<colon]
        }
        if let ipv4 = IPv4Address(String(host)) {
            guard !text.hasPrefix("[") else { throw failure("brackets are only for IPv6") }
            self = .ipv4(ipv4, port: port)
            return
        }
        var scope: Substring?
        if let percent = host.firstIndex(of: "%") {
            scope = host[host.index(after: percent)...]
            host = host[..<percent]
        }
        guard let ipv6 = IPv6Address(String(host)) else {
            throw failure("not a numeric IPv4 or IPv6 address")
        }
        var scopeID: UInt32 = 0
        if let scope {
            if let number = AddressText.scopeNumber(scope.utf8) {
                scopeID = number
            } else if ipv6.takesInterfaceNames, !scope.utf8.contains(0),
                      let index = Sys.interfaceIndex(String(scope)) {
                scopeID = index
            } else {
                throw failure(ipv6.takesInterfaceNames
                    ? "the scope \"\(scope)\" is neither an interface index nor an interface's name"
                    : "the scope \"\(scope)\" is not a number (names are only for link-local addresses)")
            }
        }
        self = .ipv6(ipv6, port: port, scopeID: scopeID)
    }

    /// The address family: `.ipv4`, `.ipv6` or `.unix`.
    public var family: AddressFamily {
        switch self {
        case .ipv4: .ipv4
        case .ipv6: .ipv6
        case .unix: .unix
        }
    }

    /// The port, or `nil` for a Unix path.
    public var port: UInt16? {
        switch self {
        case .ipv4(_, let port), .ipv6(_, let port, _, _): port
        case .unix: nil
        }
    }

    /// The same address with another port (a Unix path is returned unchanged).
    ///
    /// - Parameter port: the new port.
    public func withPort(_ port: UInt16) -> SocketAddress {
        switch self {
        case .ipv4(let address, _): .ipv4(address, port: port)
        case .ipv6(let address, _, let flow, let scope):
            .ipv6(address, port: port, flowInfo: flow, scopeID: scope)
        case .unix: self
        }
    }

    /// The host part alone, without port or brackets: "127.0.0.1", "::1", "fe80::1%2", or the path.
    public var host: String {
        switch self {
        case .ipv4(let address, _): address.description
        case .ipv6(let address, _, _, let scope): scope == 0 ? "\(address)" : "\(address)%\(scope)"
        case .unix(let path): path
        }
    }

    /// Whether the address is a loopback address (127.0.0.0/8 or ::1). Unix paths are local too.
    public var isLoopback: Bool {
        switch self {
        case .ipv4(let address, _): address.isLoopback
        case .ipv6(let address, _, _, _): address.isLoopback || address.mappedIPv4?.isLoopback == true
        case .unix: true
        }
    }

    /// "127.0.0.1:80", "[::1]:8080", "[fe80::1%2]:80", or the Unix path.
    public var description: String {
        switch self {
        case .ipv4(_, let port): "\(host):\(port)"
        case .ipv6(_, let port, _, _): "[\(host)]:\(port)"
        case .unix(let path): path
        }
    }
}
