// The socket's own address and its peer's.

extension Socket {
    /// The address this socket is bound to (after `bind`, or the one `connect` chose).
    ///
    /// The corresponding C function is `getsockname`.
    public var localAddress: SocketAddress {
        get throws(SocketError) {
            try address("getsockname") { () throws(Errno) in try Sys.localAddress(descriptor) }
        }
    }

    /// The address of the peer this socket is connected to.
    ///
    /// - Throws: ``SocketError`` of kind `.system(.notConnected)` if it is not connected.
    ///
    /// The corresponding C function is `getpeername`.
    public var remoteAddress: SocketAddress {
        get throws(SocketError) {
            try address("getpeername") { () throws(Errno) in try Sys.remoteAddress(descriptor) }
        }
    }

    private borrowing func address(
        _ operation: String, _ call: () throws(Errno) -> SocketAddress?
    ) throws(SocketError) -> SocketAddress {
        let address: SocketAddress?
        do throws(Errno) { address = try call() } catch { throw .system(error, operation) }
        guard let address else {
            throw SocketError(.system(.familyNotSupported), operation: operation,
                              detail: "the address family is not one this library knows")
        }
        return address
    }
}
