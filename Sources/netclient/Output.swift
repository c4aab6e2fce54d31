// Writing bytes to a descriptor (stdout, stderr or a file), completely, and the progress line.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output descriptor that `write` loops on until every byte is out.
struct Output {
    let descriptor: Int32

    static let standardOutput = Output(descriptor: 1)
    static let standardError = Output(descriptor: 2)

    /// Opens (creating or truncating) a file for writing.
    static func file(_ path: String) throws -> Output {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Failure(.localIO, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        return Output(descriptor: descriptor)
    }

    /// Whether the descriptor is a terminal.
    var isTerminal: Bool { isatty(descriptor) == 1 }

    /// Writes every byte of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(.localIO, "write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Writes `text`.
    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes `text` and a newline, ignoring failures (for stderr).
    func writeLine(_ text: String) {
        try? write(text + "\n")
    }

    /// Closes a file output.
    func close() {
        if descriptor > 2 { _ = systemClose(descriptor) }
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

private func systemClose(_ fd: Int32) -> Int32 {
    close(fd)
}

/// A progress line on stderr for long transfers: bytes, rate, elapsed. Shown only when stderr
/// is a terminal and the transfer has run for over a second; redrawn at most four times a second.
struct Progress {
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled && Output.standardError.isTerminal }

    /// Notes that `total` bytes have arrived.
    mutating func update(_ total: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard start.duration(to: now) > .seconds(1) else { return }
        if let lastDrawn, lastDrawn.duration(to: now) < .milliseconds(250) { return }
        lastDrawn = now
        drawn = true
        try? Output.standardError.write("\r\(Progress.line(total, start.duration(to: now)))\u{1B}[K")
    }

    /// Ends the line, if one was drawn.
    func finish(_ total: Int) {
        guard drawn else { return }
        Output.standardError.writeLine("\r\(Progress.line(total, start.duration(to: .now)))\u{1B}[K")
    }

    /// "12.0 MiB  3.1 GiB/s  1.2 s".
    static func line(_ bytes: Int, _ elapsed: Duration) -> String {
        let seconds = max(elapsed.seconds, 1e-9)
        return "\(size(bytes))  \(size(Int(Double(bytes) / seconds)))/s  \(fixed(seconds, 1)) s"
    }

    /// A byte count in B, KiB, MiB or GiB.
    static func size(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\(fixed(value, 1)) \(units[unit])"
    }
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    }
    return text
}
