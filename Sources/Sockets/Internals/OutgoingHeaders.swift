// The C side of an outgoing batch: `mmsghdr`s built in per-thread scratch memory for one pass of
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

    /// The C arrays of one pass, laid out in one block of ``Scratch/byteCount`` bytes.
    private enum Layout {
        static let messages = 0
        static let names = messages + maxMessages * MemoryLayout<cshims_mmsghdr>.stride
        static let vectors = names + maxMessages * MemoryLayout<sockaddr_storage>.stride
        static let perMessage = vectors + maxDatagrams * MemoryLayout<iovec>.stride
        static let segmented = perMessage + maxMessages * MemoryLayout<Int>.stride
        static let control = (segmented + maxMessages + 63) & ~63
        static let end = control + maxMessages * DatagramControl.sendSpace
    }

    /// Calls `body` with the headers of the first datagrams of `datagrams` (at most
    /// ``maxMessages`` messages and ``maxDatagrams`` datagrams; the caller sends the rest in
    /// later passes). With `grouping`, runs of datagrams that can share a send (same
    /// destination and metadata, equal sizes but a shorter last one, at most 64 and 65,507
    /// bytes) become one segmented message, and a datagram's own segment size is asked for;
    /// without it, the headers stop before the first datagram with a segment size (the caller
    /// sends that one apart). `ipv6Socket` picks the IPv6 control messages for datagrams
    /// without a destination. `body` must not send another batch on this thread: the arrays
    /// live in the thread's scratch block.
    static func with<R>(
        _ datagrams: ArraySlice<OutgoingDatagram>, grouping: Bool, ipv6Socket: Bool, _ body: (OutgoingHeaders) -> R
    ) -> R {
        let base = Scratch.block(byteCount: Layout.end)
        let messages = (base + Layout.messages).assumingMemoryBound(to: cshims_mmsghdr.self)
        let perMessage = (base + Layout.perMessage).assumingMemoryBound(to: Int.self)
        let segmented = (base + Layout.segmented).assumingMemoryBound(to: Bool.self)
        let count = build(
            datagrams, grouping: grouping, ipv6Socket: ipv6Socket, messages: messages,
            vectors: (base + Layout.vectors).assumingMemoryBound(to: iovec.self),
            names: (base + Layout.names).assumingMemoryBound(to: sockaddr_storage.self),
            perMessage: perMessage, segmented: segmented, control: base + Layout.control)
        return body(OutgoingHeaders(messages: messages, count: count, datagramsPerMessage: perMessage,
                                    segmented: segmented))
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
            let segmentSize = run > 1 ? first.bytes.count : first.segmentSize
            let header = messageHeader(
                first, segmentSize: segmentSize,
                ipv6Route: DatagramControl.isIPv6Route(first.destination, ipv6Socket: ipv6Socket),
                vectors: vectors + vector, count: run, name: names + message,
                control: control + message * controlSpace)
            messages[message] = cshims_mmsghdr(msg_hdr: header, msg_len: 0)
            perMessage[message] = run
            segmented[message] = segmentSize != nil
            message += 1
            vector += run
            next += run
        }
        return message
    }

    /// The header of one outgoing message: `count` filled `iovec`s at `vectors`, the
    /// destination of `datagram` (if any) written into `name`, and its control messages
    /// (`segmentSize`, ECN bits, source) into `control`, which has ``DatagramControl/sendSpace``
    /// bytes. Shared by the single send and every message of a batch.
    static func messageHeader(
        _ datagram: OutgoingDatagram, segmentSize: Int?, ipv6Route: Bool,
        vectors: UnsafeMutablePointer<iovec>, count: Int,
        name: UnsafeMutablePointer<sockaddr_storage>, control: UnsafeMutableRawPointer
    ) -> msghdr {
        var header = msghdr()
        header.msg_iov = vectors
        header.msg_iovlen = numericCast(count)
        if let destination = datagram.destination {
            header.msg_name = UnsafeMutableRawPointer(name)
            header.msg_namelen = destination.copy(into: name)
        }
        let length = DatagramControl.write(datagram, segmentSize: segmentSize, ipv6Route: ipv6Route, into: control)
        if length > 0 {
            header.msg_control = control
            header.msg_controllen = numericCast(length)
        }
        return header
    }
}
