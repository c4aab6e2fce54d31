// The header/body split of an HTTP reply, found across chunks. No imports: the fuzz target
// (Fuzz/, FuzzHTTP) compiles this file as it is.

/// Finds the end of the headers ("\r\n\r\n") across chunks, so the body can be told apart.
struct HeaderSkipper {
    /// How many bytes of the terminator have been matched so far.
    private var matched = 0
    /// Whether the headers are over.
    private(set) var done = false

    /// The offset in `chunk` where the body starts, or `nil` if the headers go on past it.
    mutating func bodyStart(in chunk: UnsafeRawBufferPointer) -> Int? {
        if done { return 0 }
        let terminator: [UInt8] = [13, 10, 13, 10]
        for (index, byte) in chunk.enumerated() {
            if byte == terminator[matched] {
                matched += 1
            } else {
                matched = byte == terminator[0] ? 1 : 0
            }
            if matched == 4 {
                done = true
                return index + 1
            }
        }
        return nil
    }
}
