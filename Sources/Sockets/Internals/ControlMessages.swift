// Control messages (`cmsghdr`) walked in Swift: the `CMSG_*` macros are not importable, so
// their arithmetic is written here once, for the error queue now and per-datagram metadata
// later.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The control messages a `recvmsg` wrote into `control`, `length` bytes of it.
struct ControlMessages: Sequence {
    /// One control message: its level, type and data.
    struct Message {
        var level: Int32
        var type: Int32
        var data: UnsafeRawBufferPointer
    }

    let control: UnsafeRawBufferPointer

    /// The messages in the first `length` bytes of `control`.
    init(_ control: UnsafeRawBufferPointer, length: Int) {
        self.control = UnsafeRawBufferPointer(rebasing: control[..<Swift.min(length, control.count)])
    }

    /// `CMSG_ALIGN`: lengths round up to the size of `size_t`.
    static func aligned(_ length: Int) -> Int {
        let alignment = MemoryLayout<Int>.size
        return (length + alignment - 1) & ~(alignment - 1)
    }

    /// `CMSG_LEN(0)`, the offset of a message's data from its header.
    static let headerLength = aligned(MemoryLayout<cmsghdr>.size)

    /// `CMSG_SPACE(dataLength)`: the room one message with `dataLength` bytes of data takes.
    static func space(for dataLength: Int) -> Int { headerLength + aligned(dataLength) }

    func makeIterator() -> Iterator { Iterator(control: control, offset: 0) }

    /// `CMSG_FIRSTHDR` then `CMSG_NXTHDR`, with their bounds checks.
    struct Iterator: IteratorProtocol {
        let control: UnsafeRawBufferPointer
        var offset: Int

        mutating func next() -> Message? {
            guard let base = control.baseAddress,
                  offset + MemoryLayout<cmsghdr>.size <= control.count else { return nil }
            let header = (base + offset).loadUnaligned(as: cmsghdr.self)
            let length = Int(header.cmsg_len)
            guard length >= ControlMessages.headerLength, offset + length <= control.count else { return nil }
            let data = UnsafeRawBufferPointer(
                start: base + offset + ControlMessages.headerLength, count: length - ControlMessages.headerLength)
            offset += ControlMessages.aligned(length)
            return Message(level: header.cmsg_level, type: header.cmsg_type, data: data)
        }
    }
}
