// Batched datagrams: many datagrams per system call.

extension Socket {
    /// Receives up to ``DatagramBatch/slots`` datagrams into a batch's arena with one system
    /// call, waiting per the timeout for the first one only.
    ///
    /// Use it on a busy UDP socket: one `recvmmsg` replaces a `recvfrom` per datagram. Cost: one
    /// system call on Linux (`recvmmsg` with `MSG_WAITFORONE`); elsewhere one `recvmsg` per
    /// datagram that is waiting. No allocation.
    ///
    /// - Returns: how many datagrams arrived (at least 1), also in ``DatagramBatch/count``.
    /// - Throws: ``SocketError``: `.system`, `.timeout`, `.wouldBlock`.
    ///
    /// The corresponding C function is `recvmmsg`.
    public borrowing func receiveBatch(
        into batch: inout DatagramBatch, flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        let headers = batch.headers
        batch.count = 0
        let count = try withTimeout("recvmmsg", .readable, flags: flags, deadline: &deadline) { () throws(Errno) in
            do throws(Errno) {
                return try Sys.receiveBatch(descriptor, headers, flags.rawValue)
            } catch where error == .notImplemented {
                return try headers.receiveEach(descriptor, flags.rawValue)
            }
        }
        batch.count = count
        return count
    }

    /// Sends many datagrams, each to its own destination (or on a connected socket), with as
    /// few system calls as the kernel allows.
    ///
    /// Cost: one `sendmmsg` on Linux for the whole batch when the socket can take it (the
    /// headers are built on the stack; the bytes are borrowed, not copied); elsewhere one
    /// `sendto` per datagram.
    ///
    /// - Returns: how many datagrams were sent: all of them, or the call throws.
    /// - Throws: ``SocketError`` whose ``SocketError/bytesTransferred`` counts the bytes of
    ///   the datagrams sent before the failure and whose detail names how many were sent.
    ///
    /// The corresponding C function is `sendmmsg`.
    public borrowing func sendBatch(
        _ datagrams: [OutgoingDatagram], flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        var deadline: Deadline? = nil
        var sent = 0
        while sent < datagrams.count {
            let result = Sys.sendDatagrams(descriptor, datagrams[sent...], flags.rawValue)
            sent += result.sent
            guard let errno = result.error else { continue }
            do throws(SocketError) {
                switch errno {
                case .wouldBlock where result.sent == 0:
                    try waitAfterWouldBlock("sendmmsg", .writable, flags: flags, deadline: &deadline)
                case .notImplemented:
                    for datagram in datagrams[sent...] {
                        if let destination = datagram.destination {
                            _ = try send(datagram.bytes, to: destination, flags: flags)
                        } else {
                            _ = try send(datagram.bytes, flags: flags)
                        }
                        sent += 1
                    }
                case .wouldBlock:
                    continue
                default:
                    throw failure(errno, "sendmmsg")
                }
            } catch {
                var error = error
                error.bytesTransferred = datagrams[..<sent].reduce(0) { $0 + $1.bytes.count }
                error.detail = "\(error.reason) after \(sent) of \(datagrams.count) datagrams"
                throw error
            }
        }
        return sent
    }
}
