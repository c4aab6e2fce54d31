/// Caller-owned memory for receiving many datagrams with one system call: one arena split into
/// equal slots, with each datagram's length, sender and truncation reported per slot.
///
///     var batch = DatagramBatch(slots: 32, slotSize: 2048)
///     let count = try socket.receiveBatch(into: &batch)
///     for index in 0..<count { batch.withDatagram(at: index) { bytes in ... } }
public struct DatagramBatch: ~Copyable {
    /// The arena, 64-byte aligned.
    let arena: UnsafeMutableRawPointer
    /// The C headers pointing into the arena.
    let headers: BatchHeaders
    /// How many slots (datagrams) one receive can fill.
    public let slots: Int
    /// The size of each slot; a longer datagram is cut to this and marked truncated.
    public let slotSize: Int
    /// How many datagrams the last receive filled.
    public internal(set) var count: Int = 0

    /// Allocates `slots` slots of `slotSize` bytes each, in one arena (both at least 1).
    ///
    /// - Parameters:
    ///   - slots: how many datagrams one receive can take.
    ///   - slotSize: the most bytes of each datagram kept (a longer one is cut).
    ///   - captureSenders: whether each datagram's sender address is recorded (the kernel
    ///     copies one address per datagram); turn it off on a connected socket, where the
    ///     sender is known, to save that copy. ``sender(at:)`` is then `nil`.
    ///   - metadata: whether each slot gets room for control messages, so that
    ///     ``metadata(at:)`` reports what the socket's options ask for (destination,
    ///     interface, ECN bits, timestamp) and, with coalescing on, the segment size. Needed
    ///     on a socket with ``Socket/setReceiveCoalescing(_:)``; give such slots 65,535 bytes.
    public init(slots: Int, slotSize: Int, captureSenders: Bool = true, metadata: Bool = false) {
        precondition(slots > 0 && slotSize > 0, "a DatagramBatch needs at least one slot of one byte")
        self.slots = slots
        self.slotSize = slotSize
        arena = .allocate(byteCount: slots * slotSize, alignment: 64)
        headers = BatchHeaders(arena: arena, slots: slots, slotSize: slotSize, captureSenders: captureSenders,
                               metadata: metadata)
    }

    deinit { arena.deallocate() }

    /// The length of datagram `index` of the last receive, cut to ``slotSize`` if truncated.
    ///
    /// - Parameter index: the datagram, from 0 to ``count`` - 1.
    public func length(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "no datagram \(index) in this batch")
        return min(headers.length(index), slotSize)
    }

    /// Whether datagram `index` was longer than its slot (the rest was lost).
    ///
    /// - Parameter index: the datagram, from 0 to ``count`` - 1.
    public func isTruncated(at index: Int) -> Bool {
        precondition(index >= 0 && index < count, "no datagram \(index) in this batch")
        return headers.isTruncated(index)
    }

    /// The sender of datagram `index`.
    ///
    /// - Parameter index: the datagram, from 0 to ``count`` - 1.
    public func sender(at index: Int) -> SocketAddress? {
        precondition(index >= 0 && index < count, "no datagram \(index) in this batch")
        return headers.sender(index)
    }

    /// Calls `body` with datagram `index`'s bytes, borrowed from the arena. With coalescing
    /// on, a slot can hold several datagrams back to back: walk them with
    /// ``forEachSegment(at:_:)``.
    ///
    /// - Parameters:
    ///   - index: the datagram, from 0 to ``count`` - 1.
    ///   - body: reads the bytes, valid only during the call.
    /// - Throws: what `body` throws.
    public func withDatagram<R, E: Error>(at index: Int, _ body: (RawSpan) throws(E) -> R) throws(E) -> R {
        let bytes = UnsafeRawBufferPointer(start: arena + index * slotSize, count: length(at: index))
        return try body(bytes.bytes)
    }

    /// The metadata of slot `index` of the last receive: its length, sender, truncation, and
    /// (for a batch made with `metadata: true`) what the socket's options report, including
    /// the segment size of coalesced datagrams.
    ///
    /// - Parameter index: the slot, from 0 to ``count`` - 1.
    public func metadata(at index: Int) -> ReceivedDatagram {
        precondition(index >= 0 && index < count, "no datagram \(index) in this batch")
        return headers.metadata(index, slotSize: slotSize)
    }

    /// The datagrams of slot `index` as byte ranges within the slot: one, or with coalescing
    /// the slot's length cut at its segment size. Cheaper than ``metadata(at:)``: it reads
    /// only the segment size.
    ///
    /// - Parameter index: the slot, from 0 to ``count`` - 1.
    public func segments(at index: Int) -> DatagramSegments {
        let length = length(at: index)
        return DatagramSegments(byteCount: length, segmentSize: headers.segmentSize(index) ?? length)
    }

    /// Calls `body` with each datagram of slot `index`, borrowed from the arena: one, or with
    /// coalescing, every datagram of the slot in order (the last may be shorter).
    ///
    /// - Parameters:
    ///   - index: the slot, from 0 to ``count`` - 1.
    ///   - body: reads one datagram, valid only during the call.
    /// - Throws: what `body` throws.
    public func forEachSegment<E: Error>(at index: Int, _ body: (RawSpan) throws(E) -> Void) throws(E) {
        let segments = self.segments(at: index)
        let base = UnsafeRawPointer(arena + index * slotSize)
        for range in segments {
            try body(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count).bytes)
        }
    }
}
