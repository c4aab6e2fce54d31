/// Name resolution: host names to every address they have, and addresses back to names.
///
///     let all = try Resolver.resolve("localhost", port: 80, type: .stream)
///     let name = try Resolver.hostName(of: .ipv4(.loopback, port: 0))   // "localhost"
public enum Resolver {
    /// Every address `getaddrinfo` returns for a host and service, in its order.
    ///
    /// - Parameters:
    ///   - host: a name or numeric address; `nil` with ``ResolverFlags/passive`` for wildcards.
    ///   - service: a port number or service name, given to `getaddrinfo` as is; `nil` for port 0.
    ///   - family: only this family (`.unspecified` for all).
    ///   - type: only this socket type (`nil` for all).
    ///   - protocol: only this protocol (`.default` for all).
    ///   - flags: `AI_*` flags, such as `.numericHost` to refuse names.
    /// - Returns: every result, never empty.
    /// - Throws: ``SocketError`` of kind `.resolution(code)`; the host or service is checked
    ///   first for a NUL byte, an empty name and a name over 253 bytes.
    ///
    /// The corresponding C function is `getaddrinfo`.
    public static func resolve(
        _ host: String?, service: String? = nil, family: AddressFamily = .unspecified,
        type: SocketType? = nil, protocol: SocketProtocol = .default, flags: ResolverFlags = []
    ) throws(SocketError) -> [ResolvedAddress] {
        let target = describe(host: host, service: service)
        if let host {
            if host.isEmpty { throw invalidName(target, "empty host name") }
            if host.utf8.contains(0) { throw invalidName(target, "host name contains a NUL byte") }
            if host.utf8.count > 253 { throw invalidName(target, "host name longer than 253 bytes") }
        }
        if let service, service.utf8.contains(0) || service.isEmpty {
            throw SocketError(.resolution(.service), operation: "getaddrinfo", target: target,
                              detail: "empty service name or NUL byte in it")
        }
        let results = Sys.getaddrinfo(
            host: host, service: service, family: family.rawValue, type: type?.rawValue ?? 0,
            protocol: `protocol`.rawValue, flags: flags.rawValue)
        switch results {
        case .success(let list): return list
        case .failure(let failure):
            throw SocketError(.resolution(failure.code), operation: "getaddrinfo", target: target,
                              systemErrno: failure.systemErrno)
        }
    }

    /// Every address for a host with `port` set, the port given as a number so that it never
    /// goes through the services database (`AI_NUMERICSERV`).
    ///
    /// - Parameters:
    ///   - host: a name or numeric address; `nil` for the local wildcard or loopback (see `.passive`).
    ///   - port: the port to set on every address.
    ///   - family: only addresses of this family (`.unspecified` for all).
    ///   - type: only addresses for this socket type; `nil` for all.
    ///   - protocol: only addresses for this protocol.
    ///   - flags: `AI_*` flags.
    /// - Returns: every address, in the resolver's order of preference.
    /// - Throws: ``SocketError`` of kind `.resolution` with the `EAI_*` code: `.noName` for an
    ///   unknown host, `.system` with ``SocketError/systemErrno`` set.
    ///
    /// The corresponding C function is `getaddrinfo`.
    public static func resolve(
        _ host: String?, port: UInt16, family: AddressFamily = .unspecified,
        type: SocketType? = nil, protocol: SocketProtocol = .default, flags: ResolverFlags = []
    ) throws(SocketError) -> [ResolvedAddress] {
        try resolve(host, service: String(port), family: family, type: type, protocol: `protocol`,
                    flags: flags.union(.numericService))
    }

    /// The host name registered for an address (reverse lookup, a name is required).
    ///
    /// - Parameter address: the address to look up; its port is ignored.
    /// - Returns: the name, such as "localhost".
    /// - Throws: ``SocketError`` of kind `.hostLookup(code)` when the address has no name.
    ///
    /// The corresponding C function is `getnameinfo` with `NI_NAMEREQD`.
    public static func hostName(of address: SocketAddress) throws(SocketError) -> String {
        switch Sys.getnameinfo(address, flags: Constants.ni_namereqd, wantService: false) {
        case .success(let names): return names.host
        case .failure(let failure):
            throw SocketError(.hostLookup(failure.code), operation: "getnameinfo",
                              target: address.host, systemErrno: failure.systemErrno)
        }
    }

    private static func describe(host: String?, service: String?) -> String {
        let shownHost = host.map { String(reflecting: $0) } ?? "(any)"
        return service.map { "\(shownHost) service \(String(reflecting: $0))" } ?? shownHost
    }

    private static func invalidName(_ target: String, _ detail: String) -> SocketError {
        SocketError(.resolution(.noName), operation: "getaddrinfo", target: target, detail: detail)
    }
}
