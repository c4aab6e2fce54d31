// The C side of a datagram batch: one `mmsghdr`, `iovec` and `sockaddr_storage` per slot,
// allocated once with the batch and reused by every receive.

import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The message headers behind a ``DatagramBatch``, each pointing at its slot of the arena.
final class BatchHeaders {
    let slots: Int
    let captureSenders: Bool
    /// Control-message room per slot, 0 without metadata.
    let controlSpace: Int
    let messages: UnsafeMutablePointer<cshims_mmsghdr>
    private let control: UnsafeMutableRawPointer?
    private let vectors: UnsafeMutablePointer<iovec>
    private let names: UnsafeMutablePointer<sockaddr_storage>

    /// Headers for `slots` slots of `slotSize` bytes each, starting at `arena`.
    init(arena: UnsafeMutableRawPointer, slots: Int, slotSize: Int, captureSenders: Bool, metadata: Bool) {
        self.slots = slots
        self.captureSenders = captureSenders
        controlSpace = metadata ? DatagramControl.receiveSpace : 0
        control = metadata
            ? .allocate(byteCount: slots * DatagramControl.receiveSpace, alignment: MemoryLayout<cmsghdr>.alignment)
            : nil
        messages = .allocate(capacity: max(slots, 1))
        vectors = .allocate(capacity: max(slots, 1))
        names = .allocate(capacity: max(slots, 1))
        for index in 0..<slots {
            vectors[index] = iovec(iov_base: arena + index * slotSize, iov_len: slotSize)
        }
        prepareForReceive()
    }

    deinit {
        messages.deallocate()
        vectors.deallocate()
        names.deallocate()
        control?.deallocate()
    }

    /// Resets every header for a receive: full-size slots and room for each sender's address.
    func prepareForReceive() {
        for index in 0..<slots {
            var header = msghdr()
            header.msg_iov = vectors + index
            header.msg_iovlen = 1
            if captureSenders {
                header.msg_name = UnsafeMutableRawPointer(names + index)
                header.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            }
            if let control {
                header.msg_control = control + index * controlSpace
                header.msg_controllen = numericCast(controlSpace)
            }
            messages[index] = cshims_mmsghdr(msg_hdr: header, msg_len: 0)
        }
    }

    /// The length of datagram `index` of the last receive (cut to the slot when truncated).
    func length(_ index: Int) -> Int { Int(messages[index].msg_len) }

    /// Whether datagram `index` was longer than its slot.
    func isTruncated(_ index: Int) -> Bool {
        messages[index].msg_hdr.msg_flags & Constants.msg_trunc != 0
    }

    /// The metadata of slot `index` from its control messages (only the sender and flags
    /// without metadata room).
    func metadata(_ index: Int, slotSize: Int) -> ReceivedDatagram {
        var metadata = ReceivedDatagram(count: min(length(index), slotSize))
        metadata.sender = sender(index)
        metadata.isTruncated = isTruncated(index)
        let header = messages[index].msg_hdr
        metadata.isMetadataTruncated = header.msg_flags & Constants.msg_ctrunc != 0
        if let control {
            DatagramControl.read(UnsafeRawBufferPointer(start: control + index * controlSpace, count: controlSpace),
                                 length: Int(header.msg_controllen), into: &metadata)
        }
        return metadata
    }

    /// The coalesced segment size of slot `index` (`UDP_GRO`), reading only that control
    /// message; `nil` without metadata room or when the slot holds one datagram.
    func segmentSize(_ index: Int) -> Int? {
        guard let control else { return nil }
        let room = UnsafeRawBufferPointer(start: control + index * controlSpace, count: controlSpace)
        for message in ControlMessages(room, length: Int(messages[index].msg_hdr.msg_controllen))
        where message.level == Constants.sol_udp && message.type == Constants.udp_gro && message.data.count >= 4 {
            return Int(message.data.loadUnaligned(as: Int32.self))
        }
        return nil
    }

    /// The sender of datagram `index`.
    func sender(_ index: Int) -> SocketAddress? {
        guard captureSenders else { return nil }
        return SocketAddress(storage: names[index], length: messages[index].msg_hdr.msg_namelen)
    }

    /// One `recvmsg` into slot `index` (where there is no `recvmmsg`); records its length.
    func receive(into index: Int, _ fd: Int32, _ flags: Int32) throws(Errno) {
        let count = try Sys.receiveMessage(fd, &messages[index].msg_hdr, flags)
        messages[index].msg_len = UInt32(count)
    }
}

extension SocketAddress {
    /// Writes the C form of the address into `storage`; returns its length (0 if it cannot be
    /// expressed, such as an over-long Unix path).
    func copy(into storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        (try? withSockAddr { (pointer, length) throws(Errno) in
            UnsafeMutableRawPointer(storage).copyMemory(from: pointer, byteCount: Int(length))
            return length
        }) ?? 0
    }
}
