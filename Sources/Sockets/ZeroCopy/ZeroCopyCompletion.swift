/// The kernel's report that it is done with the buffers of some `MSG_ZEROCOPY` sends.
public struct ZeroCopyCompletion: Hashable, Sendable {
    /// The send ids finished: each successful zero-copy send on a socket gets the next id,
    /// counting from 0.
    public var ids: ClosedRange<UInt32>
    /// Whether the kernel copied the data after all (it always does on loopback), in which
    /// case zero-copy saved nothing for these sends.
    public var copied: Bool

    /// A completion of `ids`.
    ///
    /// - Parameters:
    ///   - ids: the send ids completed.
    ///   - copied: whether the kernel copied after all.
    public init(ids: ClosedRange<UInt32>, copied: Bool) {
        self.ids = ids
        self.copied = copied
    }
}
