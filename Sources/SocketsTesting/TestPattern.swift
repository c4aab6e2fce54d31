/// The seeded byte stream the test servers send: the same bytes for the same seed and offset,
/// so a receiver can check every byte without keeping a copy.
public enum TestPattern {
    /// The byte at `offset` of the stream for `seed`.
    ///
    /// - Parameters:
    ///   - offset: the position in the stream.
    ///   - seed: which stream.
    @inline(__always)
    public static func byte(at offset: Int, seed: UInt8 = 0) -> UInt8 {
        UInt8(truncatingIfNeeded: offset &* 31 &+ Int(seed) &+ offset >> 9)
    }

    /// Fills `buffer` with the stream's bytes from `offset` on.
    ///
    /// - Parameters:
    ///   - buffer: the memory to fill.
    ///   - offset: the stream position of its first byte.
    ///   - seed: which stream.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer, from offset: Int, seed: UInt8 = 0) {
        for index in 0..<buffer.count { buffer[index] = byte(at: offset + index, seed: seed) }
    }

    /// Whether `bytes` are the stream's bytes from `offset` on.
    ///
    /// - Parameters:
    ///   - bytes: the bytes to check.
    ///   - offset: the stream position of their first byte.
    ///   - seed: which stream.
    public static func matches(_ bytes: UnsafeRawBufferPointer, at offset: Int, seed: UInt8 = 0) -> Bool {
        for index in 0..<bytes.count where bytes[index] != byte(at: offset + index, seed: seed) {
            return false
        }
        return true
    }

    /// `count` bytes of the stream from `offset`, as an array.
    ///
    /// - Parameters:
    ///   - count: how many bytes.
    ///   - offset: the stream position of the first.
    ///   - seed: which stream.
    public static func bytes(count: Int, from offset: Int = 0, seed: UInt8 = 0) -> [UInt8] {
        (0..<count).map { byte(at: offset + $0, seed: seed) }
    }
}
