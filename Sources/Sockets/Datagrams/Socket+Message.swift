// Datagrams with metadata: one send with a segment size, ECN bits or a source; one receive
// that reports the destination, interface, ECN bits, timestamp and coalesced segments.

extension Socket {
    /// Sends one datagram, or with ``OutgoingDatagram/segmentSize`` many of them at once,
    /// with the metadata it carries (ECN bits, source address or interface).
    ///
    /// With a segment size on a UDP socket, the kernel cuts the bytes into datagrams
    /// (segmentation offload, `UDP_SEGMENT`): one system call for up to 64 datagrams. Where the
    /// kernel or the route refuses that (`EIO`, `EINVAL`, `ENOPROTOOPT`), the socket remembers
    /// it (``datagramSendPath`` becomes ``DatagramSendPath/batch``) and this send and every
    /// later one go out as separate datagrams with `sendmmsg`: nothing is dropped. Bytes are
    /// borrowed, never copied.
    ///
    /// - Parameters:
    ///   - datagram: the bytes, destination (`nil` on a connected socket) and metadata.
    ///   - flags: `MSG_*` flags.
    /// - Returns: the bytes sent: all of them, or the call throws.
    /// - Throws: ``SocketError``: `.system` (`EMSGSIZE` with the path MTU where known),
    ///   `.timeout`, `.wouldBlock`; `.system(.invalidArgument)` for a segment size of 0, over
    ///   65,507, or one giving more than 64 segments. After a fallback, ``SocketError/bytesTransferred``
    ///   counts the bytes of the datagrams sent before the failure.
    ///
    /// The corresponding C function is `sendmsg` with `UDP_SEGMENT`, `IP_TOS`/`IPV6_TCLASS` and
    /// `IP_PKTINFO`/`IPV6_PKTINFO` control messages.
    public borrowing func send(_ datagram: OutgoingDatagram, flags: MessageFlags = []) throws(SocketError) -> Int {
        try datagram.validateSegments("sendmsg")
        let state = offloadState
        if datagram.segmentSize != nil && !state.usesOffload {
            return try sendSegmentsApart(datagram, flags: flags)
        }
        let ipv6Route = datagram.needsControl
            && DatagramControl.isIPv6Route(datagram.destination, ipv6Socket: state.contains(.ipv6))
        var deadline: Deadline? = nil
        do throws(SocketError) {
            return try withTimeout("sendmsg", .writable, flags: flags, deadline: &deadline) { () throws(Errno) in
                try Sys.sendDatagram(descriptor, datagram, segmentSize: datagram.segmentSize,
                                     ipv6Route: ipv6Route, flags.rawValue)
            }
        } catch where datagram.segmentSize != nil && error.refusesOffload {
            noteOffloadRefused()
            return try sendSegmentsApart(datagram, flags: flags)
        } catch {
            throw annotated(error, sendingTo: datagram.destination)
        }
    }

    /// Sends the segments of `datagram` as separate datagrams: the fallback when segmentation
    /// offload is refused or the socket is not UDP.
    private borrowing func sendSegmentsApart(_ datagram: OutgoingDatagram, flags: MessageFlags) throws(SocketError) -> Int {
        let size = datagram.segmentSize ?? max(datagram.bytes.count, 1)
        let segments = DatagramSegments(byteCount: datagram.bytes.count, segmentSize: size).map { range in
            OutgoingDatagram(UnsafeRawBufferPointer(rebasing: datagram.bytes[range]), to: datagram.destination,
                             ecn: datagram.ecn, source: datagram.source, interfaceIndex: datagram.interfaceIndex)
        }
        var sent = 0
        try sendBatch(segments, sent: &sent, flags: flags)
        return datagram.bytes.count
    }

    /// Adds the destination and, for `EMSGSIZE`, the path MTU to a send's error.
    borrowing func annotated(_ error: SocketError, sendingTo destination: SocketAddress?) -> SocketError {
        var error = error
        if let destination { error.target = destination.description }
        if error.errno == .messageTooLong, let mtu = try? pathMTU {
            error.detail = "message too long for the path MTU of \(mtu) bytes"
        }
        return error
    }

    /// Receives one datagram, or with coalescing (``setReceiveCoalescing(_:)``) several
    /// from one sender back to back, into caller-owned memory, with its metadata.
    ///
    /// The metadata holds what the socket asked for: the sender always; the destination
    /// address and interface, ECN bits, timestamp and segment size when their options are on.
    /// With coalescing, give a buffer of 65,535 bytes or more and walk
    /// ``ReceivedDatagram/segments``: a smaller buffer truncates the coalesced datagrams.
    /// No allocation: the control buffer lives on the stack.
    ///
    /// - Parameters:
    ///   - buffer: where the bytes go; must not be empty.
    ///   - flags: `MSG_*` flags.
    /// - Returns: the count, sender and metadata.
    /// - Throws: ``SocketError``: `.system`, `.timeout`, `.wouldBlock`, or
    ///   `.system(.invalidArgument)` for an empty buffer.
    ///
    /// The corresponding C function is `recvmsg`.
    public borrowing func receiveMessage(
        into buffer: UnsafeMutableRawBufferPointer, flags: MessageFlags = []
    ) throws(SocketError) -> ReceivedDatagram {
        guard buffer.baseAddress != nil, buffer.count > 0 else {
            throw .invalid("recvmsg", "zero-length buffer: nothing can be received into it")
        }
        var deadline: Deadline? = nil
        return try withTimeout("recvmsg", .readable, flags: flags, deadline: &deadline) { () throws(Errno) in
            try Sys.receiveDatagram(descriptor, buffer, flags.rawValue)
        }
    }
}

extension SocketError {
    /// Whether a segmented send failed because the kernel or the route cannot do it.
    var refusesOffload: Bool {
        errno == .ioError || errno == .invalidArgument || errno == .optionNotAvailable
    }
}
