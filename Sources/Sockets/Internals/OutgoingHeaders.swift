// The C side of an outgoing batch: `mmsghdr`s built on the stack for one pass of
// `sendBatch`, each pointing at borrowed bytes, with control messages where needed. With
// segmentation offload, runs of equal-sized datagrams to one destination share one message.

import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The headers of one pass of an outgoing batch, valid only inside ``with(_:grouping:ipv6Socket:_:)``.
struct OutgoingHeaders {
    /// The messages, `count` of them.
    let messages: UnsafeMutablePointer<cshims_mmsghdr>
    /// How many messages.
    let count: Int
    /// How many datagrams each message carries.
    private let datagramsPerMessage: UnsafeMutablePointer<Int>
    /// Whether each message asks for segmentation offload.
    private let segmented: UnsafeMutablePointer<Bool>

    /// How many datagrams the first `messageCount` messages carry.
    func datagrams(inFirst messageCount: Int) -> Int {
        var total = 0
        var index = 0
        while index < messageCount {
            total += datagramsPerMessage[index]
            index += 1
        }
        return total
    }

    /// Whether message `index` asks for segmentation offload.
    func isSegmented(_ index: Int) -> Bool { segmented[index] }

    /// The most messages one pass builds (one `sendmmsg`).
    static let maxMessages = 64
    /// The most datagrams one pass covers (one `iovec` each).
    static let maxDatagrams = 512

    /// The C arrays of one pass, on the stack: fixed sizes, so no allocation however large
    /// the batch (`withUnsafeTemporaryAllocation` goes to the heap over 1 KiB).
    private struct Storage {
        var messages = InlineArray<64, cshims_mmsghdr>(repeating: cshims_mmsghdr())
        var names = InlineArray<64, sockaddr_storage>(repeating: sockaddr_storage())
        var vectors = InlineArray<512, iovec>(repeating: iovec())
        var perMessage = InlineArray<64, Int>(repeating: 0)
        var segmented = InlineArray<64, Bool>(repeating: false)
        /// ``DatagramControl/sendSpace`` bytes per message, as words for `cmsghdr` alignment.
        var control = InlineArray<1024, UInt64>(repeating: 0)
    }

    /// Calls `body` with the headers of the first datagrams of `datagrams` (at most
    /// ``maxMessages`` messages and ``maxDatagrams`` datagrams; the caller sends the rest in
    /// later passes). With `grouping`, runs of datagrams that can share a send (same
    /// destination and metadata, equal sizes but a shorter last one, at most 64 and 65,507
    /// bytes) become one segmented message, and a datagram's own segment size is asked for;
    /// without it, the headers stop before the first datagram with a segment size (the caller
    /// sends that one apart). `ipv6Socket` picks the IPv6 control messages for datagrams
    /// without a destination.
    static func with<R>(
        _ datagrams: ArraySlice<OutgoingDatagram>, grouping: Bool, ipv6Socket: Bool, _ body: (OutgoingHeaders) -> R
    ) -> R {
        var storage = Storage()
        return withUnsafeMutablePointer(to: &storage) { storage in
            let base = UnsafeMutableRawPointer(storage)
            func field<T>(_ path: PartialKeyPath<Storage>, _ type: T.Type) -> UnsafeMutablePointer<T> {
                (base + MemoryLayout<Storage>.offset(of: path)!).assumingMemoryBound(to: T.self)
            }
            let messages = field(\Storage.messages, cshims_mmsghdr.self)
            let perMessage = field(\Storage.perMessage, Int.self)
            let segmented = field(\Storage.segmented, Bool.self)
            let count = build(
                datagrams, grouping: grouping, ipv6Socket: ipv6Socket,
                messages: messages, vectors: field(\Storage.vectors, iovec.self),
                names: field(\Storage.names, sockaddr_storage.self), perMessage: perMessage,
                segmented: segmented, control: UnsafeMutableRawPointer(field(\Storage.control, UInt64.self)))
            return body(OutgoingHeaders(messages: messages, count: count, datagramsPerMessage: perMessage,
                                        segmented: segmented))
        }
    }

    /// Fills the arrays; returns the number of messages.
    private static func build(
        _ datagrams: ArraySlice<OutgoingDatagram>, grouping: Bool, ipv6Socket: Bool,
        messages: UnsafeMutablePointer<cshims_mmsghdr>, vectors: UnsafeMutablePointer<iovec>,
        names: UnsafeMutablePointer<sockaddr_storage>, perMessage: UnsafeMutablePointer<Int>,
        segmented: UnsafeMutablePointer<Bool>, control: UnsafeMutableRawPointer
    ) -> Int {
        var message = 0
        var next = datagrams.startIndex
        var vector = 0
        let controlSpace = DatagramControl.sendSpace
        while next < datagrams.endIndex && message < maxMessages && vector < maxDatagrams {
            let first = datagrams[next]
            if first.segmentSize != nil && !grouping { break }
            // The run of datagrams this message carries.
            var run = 1
            var bytes = first.bytes.count
            if grouping && first.segmentSize == nil && first.bytes.count > 0 {
                while next + run < datagrams.endIndex, run < OutgoingDatagram.maxSegments, vector + run < maxDatagrams {
                    let candidate = datagrams[next + run]
                    guard first.canShareSend(with: candidate), candidate.bytes.count > 0,
                          candidate.bytes.count <= first.bytes.count,
                          bytes + candidate.bytes.count <= OutgoingDatagram.maxDatagramSize else { break }
                    run += 1
                    bytes += candidate.bytes.count
                    if candidate.bytes.count < first.bytes.count { break }  // a short one ends the run
                }
            }
            for offset in 0..<run {
                let datagram = datagrams[next + offset]
                vectors[vector + offset] = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: datagram.bytes.baseAddress), iov_len: datagram.bytes.count)
            }
            var header = msghdr()
            header.msg_iov = vectors + vector
            header.msg_iovlen = numericCast(run)
            if let destination = first.destination {
                header.msg_name = UnsafeMutableRawPointer(names + message)
                header.msg_namelen = destination.copy(into: names + message)
            }
            let segmentSize = run > 1 ? first.bytes.count : first.segmentSize
            if segmentSize != nil || first.needsControl {
                let room = control + message * controlSpace
                let ipv6Route = DatagramControl.isIPv6Route(first.destination, ipv6Socket: ipv6Socket)
                let length = DatagramControl.write(first, segmentSize: segmentSize, ipv6Route: ipv6Route, into: room)
                if length > 0 {
                    header.msg_control = room
                    header.msg_controllen = numericCast(length)
                }
            }
            messages[message] = cshims_mmsghdr(msg_hdr: header, msg_len: 0)
            perMessage[message] = run
            segmented[message] = segmentSize != nil
            message += 1
            vector += run
            next += run
        }
        return message
    }
}
