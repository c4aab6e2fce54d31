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
        (0..<messageCount).reduce(0) { $0 + datagramsPerMessage[$1] }
    }

    /// Whether message `index` asks for segmentation offload.
    func isSegmented(_ index: Int) -> Bool { segmented[index] }

    /// Space for the segment size alone: one `UDP_SEGMENT` message of a `UInt16`.
    private static let segmentOnlySpace = ControlMessages.space(for: 2)

    /// Calls `body` with the headers of `datagrams`. With `grouping`, runs of datagrams that
    /// can share a send (same destination and metadata, equal sizes but a shorter last one,
    /// at most 64 and 65,507 bytes) become one segmented message, and a datagram's own
    /// segment size is asked for; without it, the headers stop before the first datagram
    /// with a segment size (the caller sends that one apart). `ipv6Socket` picks the IPv6
    /// control messages for datagrams without a destination.
    static func with<R>(
        _ datagrams: ArraySlice<OutgoingDatagram>, grouping: Bool, ipv6Socket: Bool, _ body: (OutgoingHeaders) -> R
    ) -> R {
        let capacity = max(datagrams.count, 1)
        let anyMetadata = datagrams.contains { $0.ecn != nil || $0.source != nil || $0.interfaceIndex != nil }
        let controlSpace = anyMetadata ? DatagramControl.sendSpace : grouping ? Self.segmentOnlySpace : 0
        return withUnsafeTemporaryAllocation(of: cshims_mmsghdr.self, capacity: capacity) { messages in
            withUnsafeTemporaryAllocation(of: iovec.self, capacity: capacity) { vectors in
                withUnsafeTemporaryAllocation(of: sockaddr_storage.self, capacity: capacity) { names in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { perMessage in
                        withUnsafeTemporaryAllocation(of: Bool.self, capacity: capacity) { segmented in
                            withUnsafeTemporaryAllocation(byteCount: max(controlSpace * capacity, 1),
                                                          alignment: MemoryLayout<cmsghdr>.alignment) { control in
                                let count = build(
                                    datagrams, grouping: grouping, ipv6Socket: ipv6Socket, controlSpace: controlSpace,
                                    messages: messages.baseAddress!, vectors: vectors.baseAddress!,
                                    names: names.baseAddress!, perMessage: perMessage.baseAddress!,
                                    segmented: segmented.baseAddress!, control: control.baseAddress!)
                                return body(OutgoingHeaders(messages: messages.baseAddress!, count: count,
                                                            datagramsPerMessage: perMessage.baseAddress!,
                                                            segmented: segmented.baseAddress!))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Fills the arrays; returns the number of messages.
    private static func build(
        _ datagrams: ArraySlice<OutgoingDatagram>, grouping: Bool, ipv6Socket: Bool, controlSpace: Int,
        messages: UnsafeMutablePointer<cshims_mmsghdr>, vectors: UnsafeMutablePointer<iovec>,
        names: UnsafeMutablePointer<sockaddr_storage>, perMessage: UnsafeMutablePointer<Int>,
        segmented: UnsafeMutablePointer<Bool>, control: UnsafeMutableRawPointer
    ) -> Int {
        var message = 0
        var next = datagrams.startIndex
        var vector = 0
        while next < datagrams.endIndex {
            let first = datagrams[next]
            if first.segmentSize != nil && !grouping { break }
            // The run of datagrams this message carries.
            var run = 1
            var bytes = first.bytes.count
            if grouping && first.segmentSize == nil && first.bytes.count > 0 {
                while next + run < datagrams.endIndex, run < OutgoingDatagram.maxSegments {
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
            if controlSpace > 0 && (segmentSize != nil || first.needsControl) {
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
