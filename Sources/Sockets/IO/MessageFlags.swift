/// Flags for a send or receive call (the `MSG_*` flags).
public struct MessageFlags: OptionSet, Hashable, Sendable {
    /// The raw `MSG_*` bits.
    public var rawValue: Int32

    /// Wraps raw `MSG_*` bits.
    ///
    /// - Parameter rawValue: the raw `MSG_*` bits.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `MSG_PEEK`: return data without removing it from the receive queue.
    public static let peek = MessageFlags(rawValue: Constants.msg_peek)
    /// `MSG_WAITALL`: wait until the whole buffer is filled (or EOF, an error, a signal).
    public static let waitAll = MessageFlags(rawValue: Constants.msg_waitall)
    /// `MSG_DONTWAIT`: this call alone is non-blocking.
    public static let dontWait = MessageFlags(rawValue: Constants.msg_dontwait)
    /// `MSG_TRUNC`: on a datagram receive, return the real length even if it did not fit.
    public static let truncate = MessageFlags(rawValue: Constants.msg_trunc)
}
