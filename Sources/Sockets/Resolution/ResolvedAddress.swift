/// One result of a name resolution: an address to connect or bind to, and how.
public struct ResolvedAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address, with the port already set.
    public var address: SocketAddress
    /// The socket type to use with it.
    public var type: SocketType
    /// The protocol to use with it.
    public var `protocol`: SocketProtocol
    /// The host's canonical name, in the first result when ``ResolverFlags/canonicalName`` was asked.
    public var canonicalName: String?

    /// Makes a result; resolution makes these, tests and custom resolvers may too.
    ///
    /// - Parameters:
    ///   - address: the address with its port.
    ///   - type: the socket type it is for.
    ///   - protocol: the protocol it is for.
    ///   - canonicalName: the host's canonical name, when asked for.
    public init(
        address: SocketAddress, type: SocketType, protocol: SocketProtocol,
        canonicalName: String? = nil
    ) {
        self.address = address
        self.type = type
        self.protocol = `protocol`
        self.canonicalName = canonicalName
    }

    /// The address family of ``address``.
    public var family: AddressFamily { address.family }

    /// "IPv4 stream tcp 127.0.0.1:80", with " (canonical name)" when there is one.
    public var description: String {
        var line = "\(family) \(type) \(`protocol`) \(address)"
        if let canonicalName { line += " (\(canonicalName))" }
        return line
    }
}
