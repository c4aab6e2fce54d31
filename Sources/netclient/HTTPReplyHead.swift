// The head of an HTTP reply (status line and headers), as far as a load client needs it: the
// status, the body's length, and whether the connection stays open. No imports: the fuzz
// target (Fuzz/, FuzzHTTP) compiles this file as it is.

/// A parsed reply head: status, `Content-Length`, and whether the server keeps the connection.
struct HTTPReplyHead {
    /// The status code, 100 to 999.
    var status: Int
    /// The body's length from `Content-Length` (0 for 204 and 304 replies without one), or
    /// `nil` when the body is chunked or runs until the server closes.
    var contentLength: Int?
    /// Whether the body comes in chunks (`Transfer-Encoding` ending in `chunked`, which
    /// overrides any `Content-Length`).
    var chunked: Bool
    /// Whether the connection may carry another request after this reply's body: the body has a
    /// known end (a length or chunks), and the server said `Connection: keep-alive` (HTTP/1.0)
    /// or did not say `Connection: close` (HTTP/1.1).
    var keepsConnection: Bool

    /// How the body is delimited (for a reply to anything but HEAD, whose body is always empty).
    var framing: HTTPBodyFramer.Framing {
        if chunked { return .chunked }
        return contentLength.map { .length($0) } ?? .untilClose
    }

    /// The most bytes a head may take before the reply counts as malformed.
    static let maximumSize = 64 * 1024

    /// Where the head ends in `bytes`: the offset just past the blank line ("\r\n\r\n"), or
    /// `nil` if it is not there yet. `from` skips bytes already searched (it backs up three
    /// bytes itself, for a terminator split between two reads).
    static func end(in bytes: UnsafeRawBufferPointer, searchedUpTo from: Int = 0) -> Int? {
        var index = max(0, from - 3)
        while index + 3 < bytes.count {
            if bytes[index + 3] != 10 {
                // The last byte of the terminator is LF: anything else moves on by up to four.
                index += bytes[index + 3] == 13 ? 1 : 4
                continue
            }
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 { return index + 4 }
            index += 1
        }
        return nil
    }

    /// Parses a head: the status line ("HTTP/1.x NNN reason") and the header lines, with or
    /// without the blank line at the end. `nil` when it is not an HTTP/1 reply head (no status
    /// line, a bad status, a header line without a colon, or a `Content-Length` that is not a
    /// number or disagrees with another).
    init?(parsing head: UnsafeRawBufferPointer) {
        var lines = HeadLines(head)
        guard let statusLine = lines.next(), statusLine.count >= 12 else { return nil }
        // "HTTP/1." then the minor version digit, a space, and three digits.
        let prefix: StaticString = "HTTP/1."
        for offset in 0..<prefix.utf8CodeUnitCount where head[statusLine.lowerBound + offset] != prefix.utf8Start[offset] {
            return nil
        }
        let minor = head[statusLine.lowerBound + 7]
        guard minor >= 48 && minor <= 57, head[statusLine.lowerBound + 8] == 32 else { return nil }
        var status = 0
        for offset in 9..<12 {
            let digit = head[statusLine.lowerBound + offset]
            guard digit >= 48 && digit <= 57 else { return nil }
            status = status * 10 + Int(digit - 48)
        }
        guard status >= 100, statusLine.count == 12 || head[statusLine.lowerBound + 12] == 32 else { return nil }
        var length: Int?
        var close = minor == 48  // HTTP/1.0 closes unless it says keep-alive.
        var chunked = false
        var transferCoded = false
        while let line = lines.next() {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(where: { head[$0] == 58 }) else { return nil }
            let name = line.lowerBound..<colon
            let value = Self.trimmed(colon + 1..<line.upperBound, in: head)
            if Self.equalsIgnoringCase(name, "content-length", in: head) {
                guard let number = Self.number(value, in: head), length == nil || length == number else { return nil }
                length = number
            } else if Self.equalsIgnoringCase(name, "connection", in: head) {
                if Self.containsToken(value, "close", in: head) { close = true }
                if Self.containsToken(value, "keep-alive", in: head) && minor == 48 { close = false }
            } else if Self.equalsIgnoringCase(name, "transfer-encoding", in: head) {
                // The last coding decides: chunked, or a body that runs until the close.
                transferCoded = true
                chunked = Self.lastTokenIs(value, "chunked", in: head)
            }
        }
        if transferCoded { length = nil }  // Transfer-Encoding overrides Content-Length.
        if status == 204 || status == 304 || status < 200 {  // Never a body.
            length = 0
            chunked = false
            transferCoded = false
        }
        self.status = status
        contentLength = length
        self.chunked = chunked
        keepsConnection = (length != nil || chunked) && !close
    }

    /// `range` without leading and trailing spaces and tabs.
    private static func trimmed(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && (bytes[lower] == 32 || bytes[lower] == 9) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == 32 || bytes[upper - 1] == 9) { upper -= 1 }
        return lower..<upper
    }

    /// Whether `range` spells `word` (lowercase ASCII), ignoring case.
    private static func equalsIgnoringCase(_ range: Range<Int>, _ word: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        let letters = word.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] | 0x20 != letters[offset] | 0x20 {
            return false
        }
        return true
    }

    /// Whether the comma-separated list in `range` holds `word`, ignoring case.
    private static func containsToken(_ range: Range<Int>, _ word: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        var start = range.lowerBound
        while start <= range.upperBound {
            var end = start
            while end < range.upperBound && bytes[end] != 44 { end += 1 }
            if equalsIgnoringCase(trimmed(start..<end, in: bytes), word, in: bytes) { return true }
            start = end + 1
        }
        return false
    }

    /// Whether the last item of the comma-separated list in `range` is `word`, ignoring case.
    private static func lastTokenIs(_ range: Range<Int>, _ word: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        var start = range.lowerBound
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == 44 { start = index + 1 }
            index += 1
        }
        return equalsIgnoringCase(trimmed(start..<range.upperBound, in: bytes), word, in: bytes)
    }

    /// The decimal number in `range` (1 to 18 digits), or `nil`.
    private static func number(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            guard bytes[index] >= 48 && bytes[index] <= 57 else { return nil }
            value = value * 10 + Int(bytes[index] - 48)
        }
        return value
    }
}

/// The lines of a head, split at CRLF (a bare LF also ends a line), as ranges of offsets.
private struct HeadLines: IteratorProtocol {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func next() -> Range<Int>? {
        guard position < bytes.count else { return nil }
        var end = position
        while end < bytes.count && bytes[end] != 10 { end += 1 }
        let lineEnd = end > position && bytes[end - 1] == 13 ? end - 1 : end
        defer { position = end + 1 }
        return position..<lineEnd
    }
}
