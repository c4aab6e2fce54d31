/// The two Explicit Congestion Notification bits of an IP packet (RFC 3168): the low bits of
/// the IPv4 TOS byte or the IPv6 traffic class.
public struct ECN: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The two bits, 0 to 3.
    public let rawValue: UInt8

    /// The codepoint `rawValue`; `nil` unless it is 0 to 3.
    ///
    /// - Parameter rawValue: the two ECN bits.
    public init?(rawValue: UInt8) {
        guard rawValue <= 3 else { return nil }
        self.rawValue = rawValue
    }

    /// The codepoint in the low two bits of a TOS or traffic-class byte.
    init(bitsOf byte: UInt8) { rawValue = byte & 3 }

    /// `Not-ECT` (0): the sender does not support ECN.
    public static let notCapable = ECN(bitsOf: 0)
    /// `ECT(1)` (1): ECN-capable transport, codepoint 1 (used by L4S).
    public static let capable1 = ECN(bitsOf: 1)
    /// `ECT(0)` (2): ECN-capable transport, codepoint 0.
    public static let capable0 = ECN(bitsOf: 2)
    /// `CE` (3): congestion experienced, set by a router.
    public static let congestionExperienced = ECN(bitsOf: 3)

    /// The codepoint's RFC 3168 name.
    public var description: String { ["Not-ECT", "ECT(1)", "ECT(0)", "CE"][Int(rawValue)] }
}
