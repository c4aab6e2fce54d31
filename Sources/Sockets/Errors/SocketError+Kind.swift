// The kind of a SocketError: a struct over a private enum, so that a kind added later (as
// `cancelled` was for the async layer) breaks no caller's `switch`.

extension SocketError {
    /// What kind of failure an error is.
    ///
    /// A struct with static members rather than an enum, so that new kinds can be added without
    /// breaking anyone's exhaustive `switch` (the approach of swift-subprocess's
    /// `SubprocessError.Code`). Compare with `==`, or `switch` with a `default:`:
    ///
    ///     switch error.kind {
    ///     case .system(.connectionRefused): print("nothing listens there")
    ///     case .timeout: print("too slow")
    ///     default: print(error)
    ///     }
    ///
    /// Read the code inside with ``errno`` or ``resolutionCode``.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The cases; private so that adding one is not a source-breaking change.
        enum Storage: Hashable, Sendable {
            case system(Errno)
            case resolution(ResolutionErrorCode)
            case hostLookup(ResolutionErrorCode)
            case timeout
            case wouldBlock
            case cancelled
        }

        let storage: Storage

        /// A system call failed with this `errno` (Python's `socket.error` / `OSError`).
        ///
        /// - Parameter errno: the code the call reported.
        public static func system(_ errno: Errno) -> Kind { Kind(storage: .system(errno)) }

        /// Name or service resolution (`getaddrinfo`, a service lookup, address parsing) failed
        /// with this `EAI_*` code (Python's `gaierror`).
        ///
        /// - Parameter code: the resolver's code.
        public static func resolution(_ code: ResolutionErrorCode) -> Kind {
            Kind(storage: .resolution(code))
        }

        /// A reverse host lookup (`getnameinfo`) failed with this code (Python's `herror`).
        ///
        /// - Parameter code: the resolver's code.
        public static func hostLookup(_ code: ResolutionErrorCode) -> Kind {
            Kind(storage: .hostLookup(code))
        }

        /// The socket's timeout or the call's deadline expired (Python's `socket.timeout`).
        public static let timeout = Kind(storage: .timeout)

        /// Not a failure: the operation would have to wait, and the socket is non-blocking or
        /// the call asked not to wait (`MessageFlags.dontWait`); Python's `BlockingIOError`.
        /// Try again when the socket is ready.
        public static let wouldBlock = Kind(storage: .wouldBlock)

        /// The task running an async operation was cancelled; the operation stopped at once and
        /// ``SocketError/bytesTransferred`` says what had moved (Python's
        /// `asyncio.CancelledError`). The blocking API never reports it.
        public static let cancelled = Kind(storage: .cancelled)

        /// The `errno` of a `.system` kind, else `nil`.
        public var errno: Errno? {
            if case .system(let code) = storage { return code }
            return nil
        }

        /// The `EAI_*` code of a `.resolution` or `.hostLookup` kind, else `nil`.
        public var resolutionCode: ResolutionErrorCode? {
            switch storage {
            case .resolution(let code), .hostLookup(let code): code
            default: nil
            }
        }

        /// Whether this is a `.system` kind, whatever its `errno`.
        public var isSystem: Bool { errno != nil }

        /// Whether this is a `.resolution` kind, whatever its code.
        public var isResolution: Bool {
            if case .resolution = storage { return true }
            return false
        }

        /// Whether this is a `.hostLookup` kind, whatever its code.
        public var isHostLookup: Bool {
            if case .hostLookup = storage { return true }
            return false
        }

        /// "system(ECONNREFUSED: Connection refused)", "resolution(...)", "timeout", ...
        public var description: String {
            switch storage {
            case .system(let code): "system(\(code))"
            case .resolution(let code): "resolution(\(code))"
            case .hostLookup(let code): "hostLookup(\(code))"
            case .timeout: "timeout"
            case .wouldBlock: "wouldBlock"
            case .cancelled: "cancelled"
            }
        }
    }
}
