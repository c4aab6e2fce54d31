// The system calls of datagrams with metadata: `sendmsg` with control messages, `recvmsg`
// with a control buffer, and the error queue.

import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Sys {
    /// One `sendmsg` of `datagram` with the control messages it needs and `segmentSize`
    /// (`UDP_SEGMENT`) when given. Everything lives on the stack. Returns the bytes sent.
    static func sendDatagram(
        _ fd: Int32, _ datagram: OutgoingDatagram, segmentSize: Int?, ipv6Route: Bool, _ flags: Int32
    ) throws(Errno) -> Int {
        // One uninitialized stack block: the iovec, the address (written only when there is
        // one) and the control messages.
        let nameOffset = MemoryLayout<iovec>.stride
        let controlOffset = nameOffset + MemoryLayout<sockaddr_storage>.stride
        return try withUnsafeTemporaryAllocation(
            byteCount: controlOffset + DatagramControl.sendSpace, alignment: MemoryLayout<sockaddr_storage>.alignment
        ) { (block) throws(Errno) -> Int in
            let base = block.baseAddress!
            let vector = base.initializeMemory(
                as: iovec.self,
                repeating: iovec(iov_base: UnsafeMutableRawPointer(mutating: datagram.bytes.baseAddress),
                                 iov_len: datagram.bytes.count), count: 1)
            var message = OutgoingHeaders.messageHeader(
                datagram, segmentSize: segmentSize, ipv6Route: ipv6Route, vectors: vector, count: 1,
                name: (base + nameOffset).bindMemory(to: sockaddr_storage.self, capacity: 1),
                control: base + controlOffset)
            return try retrying("sendmsg") { cshims_sendmsg(fd, &message, flags) }
        }
    }

    /// One `recvmsg` into `count` bytes at `bytes`, with `sockaddr_storage` room for the
    /// sender and ``DatagramControl/receiveSpace`` bytes for control messages, all on the
    /// stack. Calls `read` with the header as the kernel left it, the sender, and the control
    /// bytes; returns what `read` returns.
    private static func receiveWithControl<R>(
        _ fd: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int, _ flags: Int32,
        _ read: (Int, msghdr, SocketAddress?, UnsafeRawBufferPointer) -> R
    ) throws(Errno) -> R {
        var vector = iovec(iov_base: bytes, iov_len: count)
        var name = sockaddr_storage()
        return try withUnsafeTemporaryAllocation(
            byteCount: DatagramControl.receiveSpace, alignment: MemoryLayout<cmsghdr>.alignment
        ) { (control) throws(Errno) -> R in
            var message = msghdr()
            let received = try withUnsafeMutablePointer(to: &vector) { (vector) throws(Errno) -> Int in
                try withUnsafeMutablePointer(to: &name) { (name) throws(Errno) -> Int in
                    message.msg_iov = vector
                    message.msg_iovlen = 1
                    message.msg_name = UnsafeMutableRawPointer(name)
                    message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                    message.msg_control = control.baseAddress
                    message.msg_controllen = numericCast(control.count)
                    return try retrying("recvmsg") { cshims_recvmsg(fd, &message, flags) }
                }
            }
            let sender = SocketAddress(storage: name, length: message.msg_namelen)
            let length = Swift.min(Int(message.msg_controllen), control.count)
            return read(received, message, sender, UnsafeRawBufferPointer(rebasing: control[..<length]))
        }
    }

    /// One `recvmsg` into `buffer` with room for the sender and every control message the
    /// library reads; returns the datagram's metadata.
    static func receiveDatagram(
        _ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, _ flags: Int32
    ) throws(Errno) -> ReceivedDatagram {
        try receiveWithControl(fd, buffer.baseAddress!, buffer.count, flags) { count, message, sender, control in
            var metadata = ReceivedDatagram(count: Swift.min(count, buffer.count))
            metadata.sender = sender
            metadata.isTruncated = message.msg_flags & Constants.msg_trunc != 0
            metadata.isMetadataTruncated = message.msg_flags & Constants.msg_ctrunc != 0
            DatagramControl.read(control, length: control.count, into: &metadata)
            return metadata
        }
    }

    /// One entry of the error queue (`recvmsg(MSG_ERRQUEUE | MSG_DONTWAIT)`), other than a
    /// zero-copy completion; `nil` when the queue is empty.
    static func queuedError(_ fd: Int32) throws(Errno) -> QueuedError? {
        #if os(Linux)
        var payload: UInt8 = 0
        while true {
            let entry: QueuedError?
            do throws(Errno) {
                entry = try withUnsafeMutablePointer(to: &payload) { (payload) throws(Errno) -> QueuedError? in
                    try receiveWithControl(fd, payload, 1, Constants.msg_errqueue | Constants.msg_dontwait) {
                        _, _, destination, control in errorQueueEntry(control, destination: destination)
                    }
                }
            } catch where error == .wouldBlock {
                return nil
            }
            // `nil`: a zero-copy completion or an entry without an error; read the next.
            if let entry { return entry }
        }
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// The `IP_RECVERR`/`IPV6_RECVERR` message among `control`, as a value; `nil` when there
    /// is none other than a zero-copy completion.
    private static func errorQueueEntry(_ control: UnsafeRawBufferPointer, destination: SocketAddress?) -> QueuedError? {
        for item in ControlMessages(control, length: control.count)
        where (item.level == Constants.ipproto_ip && item.type == Constants.ip_recverr)
            || (item.level == Constants.ipproto_ipv6 && item.type == Constants.ipv6_recverr) {
            guard item.data.count >= MemoryLayout<sock_extended_err>.size else { continue }
            let raw = item.data.loadUnaligned(as: sock_extended_err.self)
            if raw.ee_origin == UInt8(SO_EE_ORIGIN_ZEROCOPY) { continue }
            // The offender (who reported it) follows the structure: SO_EE_OFFENDER.
            let rest = UnsafeRawBufferPointer(rebasing: item.data[MemoryLayout<sock_extended_err>.size...])
            var offender: SocketAddress? = nil
            if rest.count >= MemoryLayout<sockaddr_in>.size {
                var storage = sockaddr_storage()
                let length = Swift.min(rest.count, MemoryLayout<sockaddr_storage>.size)
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[..<length])) }
                offender = SocketAddress(storage: storage, length: socklen_t(length))
            }
            return QueuedError(
                errno: Errno(rawValue: Int32(bitPattern: raw.ee_errno)),
                origin: QueuedError.Origin(rawValue: raw.ee_origin), type: raw.ee_type, code: raw.ee_code,
                info: raw.ee_info, destination: destination, offender: offender)
        }
        return nil
    }
    #endif
}
