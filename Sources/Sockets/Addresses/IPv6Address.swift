/// An IPv6 address (without a port, scope or flow label), such as ::1.
public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
    /// The first 64 bits, as a number in host byte order (the first byte is the most significant).
    public var high: UInt64
    /// The last 64 bits, as a number in host byte order.
    public var low: UInt64

    /// The address whose 128 bits are `high` followed by `low`.
    ///
    /// - Parameters:
    ///   - high: the first 64 bits.
    ///   - low: the last 64 bits.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The address made of these 16 bytes, in network order; `nil` unless there are exactly 16.
    ///
    /// - Parameter bytes: the 16 bytes, most significant first.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// Parses IPv6 text ("::1", "fe80::1", "::ffff:127.0.0.1"); `nil` if the whole text is not
    /// exactly that.
    ///
    /// Eight groups of one to four hex digits separated by colons; one "::" may stand for one
    /// or more groups of zeros; the last two groups may be written as a dotted quad (as
    /// ``IPv4Address/init(_:)`` reads one): the forms `inet_pton` accepts. A scope ("%eth0") or
    /// brackets belong to ``SocketAddress``, not here.
    ///
    /// - Parameter text: the address text.
    public init?(_ text: String) {
        guard let (high, low) = AddressText.ipv6(Substring(text).utf8) else { return nil }
        self.init(high: high, low: low)
    }

    /// Whether a scope may name an interface for this address, as glibc allows: link-local
    /// unicast (fe80::/10) and interface- or link-local multicast (ff01::/16, ff02::/16, any
    /// flags). Other addresses take only a numeric scope.
    var takesInterfaceNames: Bool {
        let top = high >> 48
        return top & 0xFFC0 == 0xFE80 || (top & 0xFF00 == 0xFF00 && (top & 0x000F == 1 || top & 0x000F == 2))
    }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    /// ::1.
    public static let loopback = IPv6Address(high: 0, low: 1)
    /// ::, the wildcard address for binding.
    public static let any = IPv6Address(high: 0, low: 0)

    /// Whether the address is ::1.
    public var isLoopback: Bool { self == .loopback }

    /// The IPv4 address inside an IPv4-mapped address (::ffff:a.b.c.d), if it is one.
    public var mappedIPv4: IPv4Address? {
        guard high == 0, low >> 32 == 0xFFFF else { return nil }
        return IPv4Address(rawValue: UInt32(truncatingIfNeeded: low))
    }

    /// The address in its canonical text form (RFC 5952), such as "::1".
    ///
    /// The corresponding C function is `inet_ntop`.
    public var description: String { Sys.formatIPv6(self) }
}
