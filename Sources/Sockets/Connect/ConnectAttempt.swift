/// One address tried by a connect over several addresses, and why it failed.
public struct ConnectAttempt: Sendable, CustomStringConvertible {
    /// The address tried.
    public var address: SocketAddress
    /// Why the attempt failed.
    public var error: SocketError

    /// Pairs an address with its failure.
    ///
    /// - Parameters:
    ///   - address: the address tried.
    ///   - error: why the attempt failed.
    public init(address: SocketAddress, error: SocketError) {
        self.address = address
        self.error = error
    }

    /// "127.0.0.1:9: Connection refused".
    public var description: String { "\(address): \(error.reason)" }
}
