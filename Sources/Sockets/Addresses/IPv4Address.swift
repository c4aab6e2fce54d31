/// An IPv4 address (without a port), such as 127.0.0.1.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    /// The address as a 32-bit number in host byte order: 127.0.0.1 is `0x7F00_0001`.
    public var rawValue: UInt32

    /// Wraps a 32-bit address in host byte order.
    ///
    /// - Parameter rawValue: the address as a 32-bit number, most significant byte first (127.0.0.1 is
    ///   `0x7F00_0001`).
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The address `a.b.c.d`.
    ///
    /// - Parameters:
    ///   - a: the first byte.
    ///   - b: the second byte.
    ///   - c: the third byte.
    ///   - d: the fourth byte.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text ("127.0.0.1"); `nil` if the whole text is not exactly that.
    ///
    /// Four decimal numbers from 0 to 255, one to three digits each with no leading zero
    /// ("0" itself is fine, "01" is not), separated by single dots: the forms `inet_pton`
    /// accepts. No shorthand ("127.1"), no hex or octal, no spaces, no NUL bytes.
    ///
    /// - Parameter text: the address text.
    public init?(_ text: String) {
        guard let value = AddressText.ipv4(Substring(text).utf8) else { return nil }
        rawValue = value
    }

    /// 127.0.0.1.
    public static let loopback = IPv4Address(127, 0, 0, 1)
    /// 0.0.0.0, the wildcard address for binding.
    public static let any = IPv4Address(rawValue: 0)

    /// Whether the address is in 127.0.0.0/8.
    public var isLoopback: Bool { rawValue >> 24 == 127 }

    /// Dotted-quad text, such as "127.0.0.1".
    public var description: String {
        "\(rawValue >> 24).\(rawValue >> 16 & 0xFF).\(rawValue >> 8 & 0xFF).\(rawValue & 0xFF)"
    }
}
