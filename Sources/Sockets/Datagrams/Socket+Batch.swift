// Batched datagrams: many datagrams per system call.

extension Socket {
    /// Receives up to ``DatagramBatch/slots`` datagrams into a batch's arena with one system
    /// call, waiting per the timeout for the first one only.
    ///
    /// Use it on a busy UDP socket: one `recvmmsg` replaces a `recvfrom` per datagram. Cost: one
    /// system call on Linux (`recvmmsg` with `MSG_WAITFORONE`); elsewhere one `recvmsg` per
    /// datagram that is waiting. No allocation.
    ///
    /// - Parameters:
    ///   - batch: the batch whose slots receive the datagrams.
    ///   - flags: `MSG_*` flags.
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
                return try receiveEach(into: headers, flags: flags)
            }
        }
        batch.count = count
        return count
    }

    /// Sends many datagrams, each to its own destination (or on a connected socket), with as
    /// few system calls as the kernel allows.
    ///
    /// On a UDP socket whose ``datagramSendPath`` is ``DatagramSendPath/segmentationOffload``,
    /// each run of equal-sized datagrams to one destination with the same metadata (up to 64
    /// and 65,507 bytes; the last of a run may be shorter) leaves as one segmented message,
    /// and a datagram with its own ``OutgoingDatagram/segmentSize`` asks for it: a whole batch
    /// of 1,200-byte datagrams to one peer is one system call carrying a few messages. If the
    /// kernel or the route refuses segmentation (`EIO`, `EINVAL`, `ENOPROTOOPT`), the socket
    /// remembers it and the rest goes out one message per datagram: nothing is dropped.
    ///
    /// Cost: on Linux one `sendmmsg` per 64 messages (or 512 datagrams) while the socket
    /// takes them, with the headers built in a per-thread scratch block (no allocation after
    /// a thread's first batch) and the bytes borrowed, not copied; elsewhere one `sendto` per
    /// datagram.
    ///
    /// - Parameters:
    ///   - datagrams: the datagrams, each with its destination (or none on a connected socket).
    ///   - flags: `MSG_*` flags.
    /// - Returns: how many of `datagrams` were sent: all of them, or the call throws.
    /// - Throws: ``SocketError`` whose ``SocketError/bytesTransferred`` counts the bytes of
    ///   the datagrams sent before the failure and whose detail names how many were sent;
    ///   `.system(.invalidArgument)` before sending anything for a bad segment size.
    ///
    /// The corresponding C function is `sendmmsg`.
    public borrowing func sendBatch(
        _ datagrams: [OutgoingDatagram], flags: MessageFlags = []
    ) throws(SocketError) -> Int {
        var sent = 0
        try sendBatch(datagrams, sent: &sent, flags: flags)
        return sent
    }

    /// Sends `datagrams` from index `sent` on, advancing `sent` past each datagram the kernel
    /// took, so that after any error (`.wouldBlock` with `.dontWait` included, which is how the
    /// async layer resumes) `sent` is the true count.
    package borrowing func sendBatch(
        _ datagrams: [OutgoingDatagram], sent: inout Int, flags: MessageFlags
    ) throws(SocketError) {
        // Index loops, not `for in` over the slice: unspecialized (debug) iteration of a
        // non-trivial element allocates, and this is a steady-state path.
        var index = sent
        while index < datagrams.count {
            try datagrams[index].validateSegments("sendmmsg")
            index += 1
        }
        var deadline: Deadline? = nil
        while sent < datagrams.count {
            let state = offloadState
            let grouping = state.usesOffload
            if !grouping && datagrams[sent].segmentSize != nil {
                // Its segments go out apart; `send` counts them and reports a partial send.
                do throws(SocketError) { _ = try send(datagrams[sent], flags: flags) } catch {
                    throw batchFailure(error, datagrams, sent: sent, partial: error.bytesTransferred)
                }
                sent += 1
                continue
            }
            // One header build per pass; a pass ends at the first error.
            let (taken, errno, segmentedFailed) = OutgoingHeaders.with(
                datagrams[sent...], grouping: grouping, ipv6Socket: state.contains(.ipv6)
            ) { headers in
                var messages = 0
                while messages < headers.count {
                    do throws(Errno) {
                        messages += try Sys.sendBatch(descriptor, headers, from: messages, flags.rawValue)
                    } catch {
                        return (headers.datagrams(inFirst: messages), Optional(error), headers.isSegmented(messages))
                    }
                }
                return (headers.datagrams(inFirst: messages), nil, false)
            }
            sent += taken
            guard let errno else { continue }
            do throws(SocketError) {
                switch errno {
                case let code where segmentedFailed
                    && (code == .ioError || code == .invalidArgument || code == .optionNotAvailable):
                    noteOffloadRefused()
                case .wouldBlock where taken == 0:
                    try waitAfterWouldBlock("sendmmsg", .writable, flags: flags, deadline: &deadline)
                case .notImplemented:
                    try sendEach(datagrams, sent: &sent, flags: flags)
                case .wouldBlock:
                    continue
                default:
                    throw annotated(failure(errno, "sendmmsg"), sendingTo: datagrams[sent].destination)
                }
            } catch {
                throw batchFailure(error, datagrams, sent: sent, partial: 0)
            }
        }
    }

    /// `error` with the bytes of the first `sent` datagrams (plus `partial` bytes of the next)
    /// and the count in words.
    private func batchFailure(
        _ error: SocketError, _ datagrams: [OutgoingDatagram], sent: Int, partial: Int
    ) -> SocketError {
        var error = error
        error.bytesTransferred = datagrams[..<sent].reduce(0) { $0 + $1.bytes.count } + partial
        error.detail = "\(error.reason) after \(sent) of \(datagrams.count) datagrams"
        return error
    }

    /// The fallback where there is no `sendmmsg`: one `sendto` (or `send`) per datagram from
    /// `sent` on, counting each in `sent` as it goes, so an error leaves the true count.
    private borrowing func sendEach(
        _ datagrams: [OutgoingDatagram], sent: inout Int, flags: MessageFlags
    ) throws(SocketError) {
        while sent < datagrams.count {
            let datagram = datagrams[sent]
            if let destination = datagram.destination {
                _ = try send(datagram.bytes, to: destination, flags: flags)
            } else {
                _ = try send(datagram.bytes, flags: flags)
            }
            sent += 1
        }
    }

    /// The fallback where there is no `recvmmsg`: one `recvmsg` per slot, the first waiting
    /// per `flags`, the rest only if a datagram is already there. Returns how many arrived.
    private borrowing func receiveEach(into headers: BatchHeaders, flags: MessageFlags) throws(Errno) -> Int {
        headers.prepareForReceive()
        var received = 0
        while received < headers.slots {
            let extra = received == 0 ? flags.rawValue : flags.rawValue | Constants.msg_dontwait
            do throws(Errno) {
                try headers.receive(into: received, descriptor, extra)
                received += 1
            } catch {
                if received > 0 && error == .wouldBlock { break }
                throw error
            }
        }
        return received
    }
}
