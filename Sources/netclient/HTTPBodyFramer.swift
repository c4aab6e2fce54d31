// Where an HTTP/1 reply's body ends: after Content-Length bytes, after the last chunk and its
// trailers (chunked transfer coding, RFC 9112 section 7.1), or at the server's close. Fed the
// bytes after the head as they arrive, in any pieces; what follows the body is the next
// (pipelined) reply's. No imports: the fuzz target (Fuzz/, FuzzHTTP) compiles this file as it is.

/// An incremental reader of one reply body's framing.
struct HTTPBodyFramer {
    /// How the body is delimited.
    enum Framing: Equatable {
        /// Exactly this many bytes.
        case length(Int)
        /// Chunks, a last chunk of size 0, then trailer lines and a blank line.
        case chunked
        /// Everything until the server closes the connection.
        case untilClose
    }

    /// What one call to ``consume(_:)`` found.
    enum Outcome: Equatable {
        /// Every byte given belongs to the body; it goes on.
        case needMore
        /// The body ended after this many of the bytes given; the rest are the next reply's.
        case done(consumed: Int)
        /// The bytes break the framing, for this reason.
        case malformed(String)
    }

    /// The longest chunk-size line (size, extensions) and the most trailer bytes accepted.
    static let maximumLine = 4096
    static let maximumTrailers = 64 * 1024

    private enum State: Equatable {
        case length(left: Int)
        case untilClose
        case chunkSize(digits: Int, size: Int)
        case chunkSizeSpace(size: Int)  // Spaces or tabs after the size digits.
        case chunkExtension(size: Int, length: Int)
        case chunkSizeLF(size: Int)
        case chunkData(left: Int)
        case chunkDataCR
        case chunkDataLF
        case trailerLineStart
        case trailerLine
        case trailerLineLF(blank: Bool)
        case done
    }

    private var state: State
    private var trailerBytes = 0
    /// The body's bytes so far, without the chunked framing.
    private(set) var payload = 0

    /// A framer for a body delimited by `framing`.
    init(_ framing: Framing) {
        switch framing {
        case .length(let length): state = length == 0 ? .done : .length(left: length)
        case .chunked: state = .chunkSize(digits: 0, size: 0)
        case .untilClose: state = .untilClose
        }
    }

    /// Whether the body has ended.
    var isDone: Bool { state == .done }

    /// Whether the body may end where the server closed the connection: only when it runs until
    /// the close (a close anywhere else cuts the body short).
    var endsAtClose: Bool { state == .untilClose || state == .done }

    /// Reads `bytes`, the next bytes after the head (or after the last call's).
    mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var index = 0
        while index < bytes.count {
            switch state {
            case .done:
                return .done(consumed: index)
            case .untilClose:
                payload += bytes.count - index
                return .needMore
            case .length(let left):
                let taken = min(left, bytes.count - index)
                payload += taken
                index += taken
                state = taken == left ? .done : .length(left: left - taken)
                continue
            case .chunkData(let left):
                let taken = min(left, bytes.count - index)
                payload += taken
                index += taken
                state = taken == left ? .chunkDataCR : .chunkData(left: left - taken)
                continue
            default:
                break
            }
            let byte = bytes[index]
            index += 1
            if let problem = step(byte) { return .malformed(problem) }
        }
        return state == .done ? .done(consumed: index) : .needMore
    }

    /// One byte of the chunked framing; a reason when it breaks it.
    private mutating func step(_ byte: UInt8) -> String? {
        switch state {
        case .chunkSize(let digits, let size):
            if let value = Self.hexValue(byte) {
                guard digits < 15 else { return "a chunk size of more than 15 hex digits" }
                state = .chunkSize(digits: digits + 1, size: size * 16 + value)
            } else if digits == 0 {
                return "a chunk size line that does not start with a hex digit"
            } else if byte == 32 || byte == 9 {
                state = .chunkSizeSpace(size: size)
            } else if byte == 59 {  // ';': an extension, skipped.
                state = .chunkExtension(size: size, length: digits + 1)
            } else if byte == 13 {
                state = .chunkSizeLF(size: size)
            } else {
                return "a chunk size followed by \(Self.describe(byte))"
            }
        case .chunkSizeSpace(let size):
            if byte == 32 || byte == 9 { break }
            if byte == 59 {
                state = .chunkExtension(size: size, length: 1)
            } else if byte == 13 {
                state = .chunkSizeLF(size: size)
            } else {
                return "a chunk size followed by \(Self.describe(byte))"
            }
        case .chunkExtension(let size, let length):
            if byte == 13 {
                state = .chunkSizeLF(size: size)
            } else if byte == 10 || byte == 0 {
                return "\(Self.describe(byte)) in a chunk extension"
            } else {
                guard length < Self.maximumLine else { return "a chunk size line longer than \(Self.maximumLine) bytes" }
                state = .chunkExtension(size: size, length: length + 1)
            }
        case .chunkSizeLF(let size):
            guard byte == 10 else { return "a chunk size line ending in CR without LF" }
            state = size == 0 ? .trailerLineStart : .chunkData(left: size)
        case .chunkDataCR:
            guard byte == 13 else { return "chunk data longer than its size" }
            state = .chunkDataLF
        case .chunkDataLF:
            guard byte == 10 else { return "chunk data followed by CR without LF" }
            state = .chunkSize(digits: 0, size: 0)
        case .trailerLineStart:
            trailerBytes += 1
            if byte == 13 {
                state = .trailerLineLF(blank: true)
            } else if byte == 10 || byte == 0 {
                return "\(Self.describe(byte)) at the start of a trailer line"
            } else {
                state = .trailerLine
            }
        case .trailerLine:
            trailerBytes += 1
            guard trailerBytes <= Self.maximumTrailers else { return "trailers longer than \(Self.maximumTrailers) bytes" }
            if byte == 13 { state = .trailerLineLF(blank: false) } else if byte == 10 || byte == 0 {
                return "\(Self.describe(byte)) in a trailer line"
            }
        case .trailerLineLF(let blank):
            guard byte == 10 else { return "a trailer line ending in CR without LF" }
            state = blank ? .done : .trailerLineStart
        case .length, .untilClose, .chunkData, .done:
            break  // Handled by consume.
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 48...57: Int(byte - 48)
        case 65...70: Int(byte - 55)
        case 97...102: Int(byte - 87)
        default: nil
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        switch byte {
        case 10: "LF"
        case 13: "CR"
        case 0: "NUL"
        case 32...126: "'\(Character(Unicode.Scalar(byte)))'"
        default: "byte \(byte)"
        }
    }
}
