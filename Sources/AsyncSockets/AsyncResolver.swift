// Name and service lookups without blocking a reactor: `getaddrinfo` and `getservbyname` have no
// async form, so they run on the blocking pool, bounded by a deadline and ended by cancellation.

import Sockets

/// Name resolution for async code: the blocking `Resolver` and `Service` calls, run on a small
/// pool of blocking threads (never on a reactor), so a slow or silent name server holds up only
/// the task that asked.
///
///     let addresses = try await AsyncResolver.resolve("localhost", port: 8080, timeout: .seconds(5))
///
/// A numeric address needs no lookup and resolves on the calling thread.
public enum AsyncResolver {
    /// Every address for `host`, with `port` set, as `Resolver.resolve(_:port:family:type:protocol:flags:)`.
    ///
    /// Not one system call: `getaddrinfo` on a pool thread, and a wait for it. When `timeout`
    /// passes or the task is cancelled first, the wait ends at once and the lookup, which
    /// cannot be interrupted, is abandoned: its result is discarded.
    ///
    /// - Parameters:
    ///   - host: a name or numeric address.
    ///   - port: the port to set on every address.
    ///   - family: only addresses of this family (`.unspecified` for all).
    ///   - type: only addresses for this socket type; `nil` for all.
    ///   - timeout: the most the lookup may take; `nil` for no limit.
    /// - Returns: every address, in the resolver's order of preference.
    /// - Throws: `SocketError`: `.resolution` with the `EAI_*` code, `.timeout`, `.cancelled`.
    ///
    /// The corresponding C function is `getaddrinfo`.
    public static func resolve(
        _ host: String, port: UInt16, family: AddressFamily = .unspecified, type: SocketType? = nil,
        timeout: Duration? = nil
    ) async throws(SocketError) -> [SocketAddress] {
        try await resolve(host, port: port, family: family, type: type, deadline: timeout.map { .after($0) }, limit: timeout)
    }

    /// ``resolve(_:port:family:type:timeout:)`` under a deadline shared with the caller's other steps.
    static func resolve(
        _ host: String, port: UInt16, family: AddressFamily, type: SocketType?, deadline: Deadline?, limit: Duration?
    ) async throws(SocketError) -> [SocketAddress] {
        if isNumeric(host) {
            return try Resolver.resolve(host, port: port, family: family, type: type, flags: .numericHost).map(\.address)
        }
        return try await BlockingPool.run("getaddrinfo", target: "\(host) port \(port)", deadline: deadline, limit: limit) {
            () throws(SocketError) -> [SocketAddress] in
            try Resolver.resolve(host, port: port, family: family, type: type).map(\.address)
        }
    }

    /// The port of a service given as a number or a name, as `Service.port(_:protocol:)`; a name
    /// is looked up in the services database on a pool thread.
    ///
    /// - Parameters:
    ///   - service: "80", "http", ...
    ///   - protocol: whose port (`.tcp` or `.udp`).
    ///   - timeout: the most the lookup may take; `nil` for no limit.
    /// - Returns: the port number.
    /// - Throws: `SocketError` as `Service.port(_:protocol:)`, `.timeout`, `.cancelled`.
    ///
    /// The corresponding C function is `getservbyname`.
    public static func port(
        _ service: String, protocol: Service.TransportProtocol = .tcp, timeout: Duration? = nil
    ) async throws(SocketError) -> UInt16 {
        try await port(service, protocol: `protocol`, deadline: timeout.map { .after($0) }, limit: timeout)
    }

    /// ``port(_:protocol:timeout:)`` under a shared deadline.
    static func port(
        _ service: String, protocol: Service.TransportProtocol, deadline: Deadline?, limit: Duration?
    ) async throws(SocketError) -> UInt16 {
        if service.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return try Service.port(service, protocol: `protocol`)  // A number (or empty): no lookup.
        }
        return try await BlockingPool.run("getservbyname", target: service, deadline: deadline, limit: limit) {
            () throws(SocketError) -> UInt16 in
            try Service.port(service, protocol: `protocol`)
        }
    }

    /// Whether `host` is a numeric IPv4 or IPv6 address (no lookup needed).
    static func isNumeric(_ host: String) -> Bool {
        IPv4Address(host) != nil || IPv6Address(host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host) != nil
    }
}
