/// How long a socket's operations may wait, with the meaning of Python's `settimeout`.
///
///     try socket.setTimeout(.seconds(2))   // settimeout(2.0)
///     try socket.setTimeout(.nonBlocking)  // settimeout(0)
///     try socket.setTimeout(.blocking)     // settimeout(None)
public enum Timeout: Hashable, Sendable, CustomStringConvertible {
    /// Operations wait as long as it takes (`settimeout(None)`), the default.
    case blocking
    /// Operations never wait: one that would throws ``SocketError`` of kind `.wouldBlock`
    /// (`settimeout(0)`).
    case nonBlocking
    /// Each operation waits at most this long, then throws ``SocketError`` of kind `.timeout`
    /// (`settimeout(seconds)`). The descriptor itself is non-blocking, so an operation whose
    /// data is already waiting costs exactly one system call.
    case after(Duration)

    /// A timeout after `seconds` seconds.
    ///
    /// - Parameter seconds: the timeout in seconds; fractions are kept.
    public static func seconds(_ seconds: Double) -> Timeout { .after(.seconds(seconds)) }

    /// A timeout after `milliseconds` milliseconds.
    ///
    /// - Parameter milliseconds: the timeout in milliseconds.
    public static func milliseconds(_ milliseconds: Int) -> Timeout {
        .after(.milliseconds(milliseconds))
    }

    /// "blocking", "non-blocking" or "0.5 seconds".
    public var description: String {
        switch self {
        case .blocking: "blocking"
        case .nonBlocking: "non-blocking"
        case .after(let duration): "\(duration)"
        }
    }
}
