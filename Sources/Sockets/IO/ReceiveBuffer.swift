/// An owned, fixed-capacity, aligned buffer that receives reuse: the memory behind the
/// zero-copy recv loop.
///
/// Alignment matters for speed: on this project's machines a recv loop into memory at a page
/// boundary plus 8 bytes ran at 0.23 times the speed of page-aligned memory, plus 16 at 0.53
/// (where glibc's large `malloc`, `Data(count:)` and 16-byte aligned allocations land). So the
/// default is 64-byte alignment, and page alignment (4096) from 64 KiB up.
///
///     var buffer = ReceiveBuffer(capacity: 64 * 1024)
///     let total = try socket.receiveAll(using: &buffer) { chunk in consume(chunk) }
public struct ReceiveBuffer: ~Copyable {
    /// The page size the default alignment uses from 64 KiB up.
    public static let pageSize = 4096

    /// The start of the owned memory.
    let base: UnsafeMutableRawPointer
    /// How many bytes it holds at most.
    public let capacity: Int
    /// The alignment of its start, in bytes.
    public let alignment: Int
    /// How many bytes are filled, from the start.
    public private(set) var count: Int = 0

    /// Allocates `capacity` bytes (0 is allowed; receiving into it is then a clear error).
    ///
    /// - Parameters:
    ///   - capacity: the size in bytes; not negative.
    ///   - alignment: a power of two; `nil` for 64 bytes, or a page from 64 KiB up.
    public init(capacity: Int, alignment: Int? = nil) {
        precondition(capacity >= 0, "ReceiveBuffer capacity must not be negative")
        let chosen = alignment ?? (capacity >= 64 * 1024 ? Self.pageSize : 64)
        precondition(chosen > 0 && chosen & (chosen - 1) == 0, "alignment must be a power of two")
        self.capacity = capacity
        self.alignment = chosen
        base = .allocate(byteCount: max(capacity, 1), alignment: chosen)
    }

    deinit { base.deallocate() }

    /// Whether no bytes are filled.
    public var isEmpty: Bool { count == 0 }

    /// Whether every byte is filled: a receive into it would be refused.
    public var isFull: Bool { count == capacity }

    /// Forgets the filled bytes (the memory stays).
    public mutating func removeAll() { count = 0 }

    /// Calls `body` with the filled bytes, borrowed: no copy.
    ///
    /// - Parameter body: reads the filled bytes, valid only during the call.
    /// - Throws: what `body` throws.
    public func withBytes<R, E: Error>(_ body: (RawSpan) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count).bytes)
    }

    /// Calls `body` with the free space after the filled bytes, as an output span; what it
    /// appends becomes filled.
    ///
    /// - Parameter body: appends to the output span, valid only during the call.
    /// - Throws: what `body` throws; what it appended before throwing stays filled.
    public mutating func withOutputSpan<R, E: Error>(
        _ body: (inout OutputRawSpan) throws(E) -> R
    ) throws(E) -> R {
        let whole = UnsafeMutableRawBufferPointer(start: base, count: capacity)
        var output = OutputRawSpan(buffer: whole, initializedCount: count)
        let result = Result { () throws(E) -> R in try body(&output) }
        count = output.finalize(for: whole)
        return try result.get()
    }

    /// Calls `body` with the whole memory as a raw buffer, for callers that hand it to C; the
    /// filled count is left to `body`'s return value (clamped to the capacity).
    ///
    /// - Parameter body: writes into the memory and returns how many bytes are now filled.
    /// - Throws: what `body` throws.
    public mutating func withUnsafeMutableBytes<E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> Int
    ) throws(E) {
        count = min(max(try body(UnsafeMutableRawBufferPointer(start: base, count: capacity)), 0), capacity)
    }

    /// The free space after the filled bytes, for a receive that cannot run inside a closure
    /// (the async layer's, which suspends); follow it with ``markFilled(_:)``.
    package var freeSpace: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base + count, count: capacity - count)
    }

    /// Marks `received` more bytes, written into ``freeSpace``, as filled.
    package mutating func markFilled(_ received: Int) {
        precondition(received >= 0 && received <= capacity - count, "more bytes than free space")
        count += received
    }
}
