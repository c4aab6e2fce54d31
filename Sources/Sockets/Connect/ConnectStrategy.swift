/// How a connect over several addresses proceeds.
public enum ConnectStrategy: Hashable, Sendable {
    /// One address after another, in the given order; each may take what is left of the
    /// deadline, so a dead first address can cost the whole timeout.
    case sequential

    /// Happy Eyeballs (RFC 8305): addresses interleaved by family (the first address's family
    /// first), a new attempt started every `attemptDelay` or as soon as the previous one fails,
    /// all pending attempts watched with one `poll`; the first to connect wins and the rest are
    /// closed at once. No threads, no event loop.
    case happyEyeballs(attemptDelay: Duration = .milliseconds(250))

    /// The RFC 8305 default: 250 ms between attempts.
    public static let happyEyeballs = ConnectStrategy.happyEyeballs()

    /// The smallest attempt delay RFC 8305 allows (10 ms); smaller values are raised to it.
    public static let minimumAttemptDelay = Duration.milliseconds(10)
}
