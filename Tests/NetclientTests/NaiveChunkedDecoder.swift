// The chunked transfer coding (RFC 9112 section 7.1) decoded the plain way, with the whole body
// in hand, line by line: the reference HTTPBodyFramer's incremental state machine must agree
// with, for every input and every way of cutting it into pieces. No imports: the fuzz target
// (Fuzz/, FuzzHTTP) compiles this file as it is.

/// What the whole-buffer decoder found.
enum NaiveChunkedResult: Equatable {
    /// The body ends at this offset, with this many payload bytes.
    case complete(end: Int, payload: Int)
    /// Every byte so far is valid, and the body has not ended.
    case incomplete
    /// A byte breaks the coding.
    case invalid
}

/// Decodes `bytes` as a chunked body: size lines (hex digits, at most 15; optional spaces or
/// tabs; an optional `;` extension without CR, LF or NUL; CRLF), data and CRLF, then after
/// the size-0 chunk trailer lines (no CR, LF or NUL inside, none starting with LF or NUL), then
/// a blank line.
func naiveChunkedDecode(_ bytes: [UInt8]) -> NaiveChunkedResult {
    let count = bytes.count
    var index = 0
    var payload = 0
    func isHex(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte) }
    func hex(_ byte: UInt8) -> Int { byte <= 57 ? Int(byte - 48) : Int((byte | 0x20) - 87) }
    /// CR LF at `index`: .complete(end: index + 2), or what breaks it.
    func lineEnd(_ index: Int) -> NaiveChunkedResult {
        guard index < count else { return .incomplete }
        guard bytes[index] == 13 else { return .invalid }
        guard index + 1 < count else { return .incomplete }
        return bytes[index + 1] == 10 ? .complete(end: index + 2, payload: 0) : .invalid
    }
    while true {
        // The size line.
        var size = 0
        var digits = 0
        while index < count && isHex(bytes[index]) {
            guard digits < 15 else { return .invalid }
            size = size * 16 + hex(bytes[index])
            digits += 1
            index += 1
        }
        guard index < count else { return .incomplete }
        guard digits > 0 else { return .invalid }
        while index < count && (bytes[index] == 32 || bytes[index] == 9) { index += 1 }
        guard index < count else { return .incomplete }
        if bytes[index] == 59 {
            while index < count && bytes[index] != 13 {
                if bytes[index] == 10 || bytes[index] == 0 { return .invalid }
                index += 1
            }
        }
        guard case .complete(let afterLine, _) = lineEnd(index) else { return lineEnd(index) }
        index = afterLine
        if size == 0 { break }
        // The data and its CR LF.
        guard count - index >= size else { return .incomplete }
        payload += size
        index += size
        guard case .complete(let afterData, _) = lineEnd(index) else { return lineEnd(index) }
        index = afterData
    }
    // Trailer lines, then the blank line.
    while true {
        guard index < count else { return .incomplete }
        if bytes[index] == 13 {
            guard case .complete(let end, _) = lineEnd(index) else { return lineEnd(index) }
            return .complete(end: end, payload: payload)
        }
        if bytes[index] == 10 || bytes[index] == 0 { return .invalid }
        while index < count && bytes[index] != 13 {
            if bytes[index] == 10 || bytes[index] == 0 { return .invalid }
            index += 1
        }
        guard case .complete(let afterTrailer, _) = lineEnd(index) else { return lineEnd(index) }
        index = afterTrailer
    }
}
