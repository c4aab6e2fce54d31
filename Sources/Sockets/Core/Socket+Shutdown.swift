// Closing one direction of a connection.

extension Socket {
    /// Closes one or both directions of the connection, without closing the descriptor.
    ///
    /// - Parameter direction: `.read`, `.write` or `.both`.
    /// - Throws: ``SocketError`` of kind `.system`: `.notConnected` when the socket has no peer.
    ///
    /// The corresponding C function is `shutdown`.
    public borrowing func shutdown(_ direction: ShutdownDirection) throws(SocketError) {
        do throws(Errno) { try Sys.shutdown(descriptor, direction.rawValue) } catch {
            throw .system(error, "shutdown")
        }
    }
}
