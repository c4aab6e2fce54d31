/// The one error type of this library: what failed, in a form a caller can act on.
///
/// Its ``kind`` tells apart the four failures Python names `socket.error`, `gaierror`, `herror`
/// and `timeout`; `wouldBlock`, which is not a failure at all (a socket in non-blocking mode
/// could not proceed without waiting, Python's `BlockingIOError`); and `cancelled`, which only
/// the async layer reports. Each error carries the
/// operation and, where known, the address or host, and its `description` reads like one line
/// of a good error message:
///
///     connect 127.0.0.1:9: Connection refused
///     getaddrinfo "nosuch.invalid": Name or service not known
///     recv 127.0.0.1:8080: timed out after 0.5 seconds
public struct SocketError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public var kind: Kind
    /// The operation that failed, usually the C call's name (`"connect"`, `"recv"`,
    /// `"getaddrinfo"`) or a composite's (`"service lookup"`).
    public var operation: String
    /// The address, host or name involved, as text, where known.
    public var target: String?
    /// A more specific explanation than the code's own message, where the library has one.
    public var detail: String?
    /// For a resolution error with code ``ResolutionErrorCode/system``, the `errno` behind it.
    public var systemErrno: Errno?
    /// Bytes already transferred before the failure (for `sendAll` and other loops).
    public var bytesTransferred: Int
    /// For a connect over several addresses: each address tried, in order, with its error.
    public var attempts: [ConnectAttempt]

    /// Makes an error; most callers only read errors, so this is for wrappers and tests.
    ///
    /// - Parameters:
    ///   - kind: what kind of failure.
    ///   - operation: the operation, usually the C call's name.
    ///   - target: the address, host or name involved.
    ///   - detail: a more specific reason than the code's own message.
    ///   - systemErrno: for a resolution error with code `.system`, the `errno` behind it.
    ///   - bytesTransferred: bytes already moved before the failure.
    ///   - attempts: for a connect over several addresses, each attempt.
    public init(
        _ kind: Kind, operation: String, target: String? = nil, detail: String? = nil,
        systemErrno: Errno? = nil, bytesTransferred: Int = 0, attempts: [ConnectAttempt] = []
    ) {
        self.kind = kind
        self.operation = operation
        self.target = target
        self.detail = detail
        self.systemErrno = systemErrno
        self.bytesTransferred = bytesTransferred
        self.attempts = attempts
    }

    /// The `errno` behind this error: the system call's, or the resolver's for `EAI_SYSTEM`.
    public var errno: Errno? { kind.errno ?? systemErrno }

    /// Whether the error is a timeout.
    public var isTimeout: Bool { kind == .timeout }

    /// Whether the error only says that a non-blocking operation would have to wait.
    public var isWouldBlock: Bool { kind == .wouldBlock }

    /// Whether the operation's task was cancelled (async layer only).
    public var isCancelled: Bool { kind == .cancelled }

    /// The reason alone, without the operation and target: "Connection refused".
    public var reason: String {
        if let detail { return detail }
        switch kind.storage {
        case .system(let code): return code.description
        case .resolution(let code), .hostLookup(let code):
            if code == .system, let systemErrno { return "\(code): \(systemErrno)" }
            return code.description
        case .timeout: return "timed out"
        case .wouldBlock: return "operation would block"
        case .cancelled: return "cancelled"
        }
    }

    /// One line: operation, target, reason, bytes transferred and every attempt, if any.
    public var description: String {
        var line = operation
        if let target { line += " " + target }
        line += ": " + reason
        if bytesTransferred > 0 { line += " (after \(bytesTransferred) bytes)" }
        if !attempts.isEmpty {
            line += "; tried " + attempts.map { "\($0.address) (\($0.error.reason))" }
                .joined(separator: ", ")
        }
        return line
    }
}

extension SocketError {
    /// A failed system call on memory and a descriptor the library owns or has validated.
    ///
    /// `EBADF` and `EFAULT` there can only come from a bug (the descriptor was closed behind the
    /// ``Socket``'s back, or unsafe memory was bad), never from the network or the peer, so they
    /// stop the program with the operation's name instead of becoming an error to handle.
    /// Calls on a descriptor the library has not validated (``Socket/init(adopting:)``) build
    /// their error with the initializer instead.
    static func system(_ errno: Errno, _ operation: String, _ target: String? = nil) -> SocketError {
        if errno == .badDescriptor || errno == .badAddress { programmerError(errno, operation) }
        return SocketError(.system(errno), operation: operation, target: target)
    }

    /// An invalid argument caught before any system call was made.
    static func invalid(_ operation: String, _ detail: String, target: String? = nil) -> SocketError {
        SocketError(.system(.invalidArgument), operation: operation, target: target, detail: detail)
    }
}

/// Stops the program for an `EBADF` or `EFAULT` that only a bug can cause.
@inline(never)
func programmerError(_ errno: Errno, _ operation: String) -> Never {
    let cause = errno == .badDescriptor
        ? "the descriptor is not open: something closed it behind the Socket's back"
        : "a buffer address is invalid: unsafe memory passed to the library is bad"
    preconditionFailure("\(operation): \(errno) (\(cause)); this is a bug in the program, not a network error")
}
