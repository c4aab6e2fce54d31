// Datagrams without blocking a thread: to and from any address.

import Sockets

extension AsyncSocket {
    /// Sends one datagram to `address`, suspending while the socket cannot take it.
    ///
    /// - Parameters:
    ///   - buffer: the datagram.
    ///   - address: where to send it.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes were sent (the whole datagram).
    /// - Throws: `SocketError`: `.system` (`EMSGSIZE`, `ECONNREFUSED` from an earlier
    ///   ICMP error), `.timeout`, `.wouldBlock`, `.cancelled`.
    ///
    /// The corresponding C function is `sendto`.
    public borrowing func send(
        _ buffer: UnsafeRawBufferPointer, to address: SocketAddress, flags: MessageFlags = []
    ) async throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        let descriptor = registration.descriptor
        let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        return try await perform("sendto", .write, flags: flags, deadline: &deadline) {
            do throws(Errno) {
                return try Sys.sendTo(descriptor, base, buffer.count, flags.rawValue, address)
            } catch {
                return -Int(error.rawValue)
            }
        }
    }

    /// Receives one datagram and its sender, suspending until one arrives.
    ///
    /// - Parameters:
    ///   - buffer: where the datagram goes (a longer datagram is cut; see `.truncate`).
    ///   - flags: `MSG_*` flags.
    /// - Returns: the byte count and the sender's address.
    /// - Throws: `SocketError`: `.system`, `.timeout`, `.wouldBlock`, `.cancelled`.
    ///
    /// The corresponding C function is `recvfrom`.
    public borrowing func receiveFrom(
        into buffer: UnsafeMutableRawBufferPointer, flags: MessageFlags = []
    ) async throws(SocketError) -> (count: Int, sender: SocketAddress?) {
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            throw SocketError(.system(.invalidArgument), operation: "recvfrom", detail: "zero-length buffer")
        }
        var deadline: Deadline? = nil
        let descriptor = registration.descriptor
        var sender: SocketAddress? = nil
        let count = try await perform("recvfrom", .read, flags: flags, deadline: &deadline) {
            do throws(Errno) {
                let (count, from) = try Sys.receiveFrom(descriptor, base, buffer.count, flags.rawValue)
                sender = from
                return count
            } catch {
                return -Int(error.rawValue)
            }
        }
        return (count, sender)
    }

    /// Sends one datagram from borrowed memory to `address`.
    ///
    /// - Parameters:
    ///   - bytes: the datagram.
    ///   - address: where to send it.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes were sent.
    /// - Throws: `SocketError` as ``send(_:to:flags:)-(UnsafeRawBufferPointer,_,_)``.
    ///
    /// The corresponding C function is `sendto`.
    public borrowing func send(
        _ bytes: RawSpan, to address: SocketAddress, flags: MessageFlags = []
    ) async throws(SocketError) -> Int {
        let raw = bytes.withUnsafeBytes { $0 }  // Valid for the span's lifetime, which spans this call.
        return try await send(raw, to: address, flags: flags)
    }

    /// Sends one datagram of `bytes` to `address` (a convenience that copies into an array).
    ///
    /// - Parameters:
    ///   - bytes: the datagram.
    ///   - address: where to send it.
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many bytes were sent.
    /// - Throws: `SocketError` as ``send(_:to:flags:)-(UnsafeRawBufferPointer,_,_)``.
    ///
    /// The corresponding C function is `sendto`.
    public borrowing func send(
        _ bytes: some Sequence<UInt8>, to address: SocketAddress, flags: MessageFlags = []
    ) async throws(SocketError) -> Int {
        let array = Array(bytes)
        let raw = array.withUnsafeBytes { $0 }  // The array lives, unchanged, past the await.
        let sent = try await send(raw, to: address, flags: flags)
        withExtendedLifetime(array) {}
        return sent
    }

    /// Receives one datagram into the free space of a `ReceiveBuffer`.
    ///
    /// - Parameters:
    ///   - buffer: where the datagram goes; must have free capacity.
    ///   - flags: `MSG_*` flags.
    /// - Returns: the byte count and the sender's address.
    /// - Throws: `SocketError`: `.system`, `.timeout`, `.wouldBlock`, `.cancelled`.
    ///
    /// The corresponding C function is `recvfrom`.
    public borrowing func receiveFrom(
        into buffer: inout ReceiveBuffer, flags: MessageFlags = []
    ) async throws(SocketError) -> (count: Int, sender: SocketAddress?) {
        let result = try await receiveFrom(into: buffer.freeSpace, flags: flags)
        buffer.markFilled(result.count)
        return result
    }
}
