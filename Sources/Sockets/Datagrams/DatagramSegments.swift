/// The datagrams of a coalesced receive buffer: `count` bytes cut into pieces of
/// `segmentSize`, the last one possibly shorter, as offset ranges into the buffer.
///
/// With `UDP_GRO` on (``Socket/setReceiveCoalescing(_:)``), one receive can return many
/// datagrams of one sender back to back; ``ReceivedDatagram/segmentSize`` says how long each
/// is. No copy is made: slice the receive buffer with each range.
///
///     for range in received.segments { handle(UnsafeRawBufferPointer(rebasing: buffer[range])) }
public struct DatagramSegments: RandomAccessCollection, Hashable, Sendable {
    /// The bytes in the buffer.
    public let byteCount: Int
    /// The length of every datagram but possibly the last.
    public let segmentSize: Int

    /// The segments of `byteCount` bytes cut every `segmentSize` bytes. A `segmentSize` of 0 or
    /// less, or one at least `byteCount`, means a single datagram; 0 bytes are one empty datagram.
    ///
    /// - Parameters:
    ///   - byteCount: the bytes received, 0 or more (a negative count is taken as 0).
    ///   - segmentSize: the coalesced datagrams' size.
    public init(byteCount: Int, segmentSize: Int) {
        self.byteCount = Swift.max(byteCount, 0)
        self.segmentSize = segmentSize > 0 && segmentSize < self.byteCount ? segmentSize : Swift.max(self.byteCount, 1)
    }

    /// Walks the ranges in order without the collection's subscript (no coroutine, so no
    /// allocation even unoptimized).
    public struct Iterator: IteratorProtocol {
        let segments: DatagramSegments
        var start = 0
        var done = false

        /// The next datagram's byte range, or `nil` after the last.
        public mutating func next() -> Range<Int>? {
            guard !done else { return nil }
            let end = Swift.min(start + segments.segmentSize, segments.byteCount)
            defer { start = end; done = end >= segments.byteCount }
            return start..<end
        }
    }

    /// An iterator over the ranges.
    public func makeIterator() -> Iterator { Iterator(segments: self) }

    /// The first segment's index, 0.
    public var startIndex: Int { 0 }

    /// How many datagrams: `byteCount / segmentSize`, rounded up (1 for an empty datagram).
    public var endIndex: Int { byteCount == 0 ? 1 : (byteCount - 1) / segmentSize + 1 }

    /// The byte range of datagram `index` in the buffer.
    ///
    /// - Parameter index: from 0 to `count` - 1.
    public subscript(index: Int) -> Range<Int> {
        precondition(index >= 0 && index < endIndex, "no segment \(index) of \(endIndex)")
        let start = index * segmentSize
        return start..<Swift.min(start + segmentSize, byteCount)
    }
}
