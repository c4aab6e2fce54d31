// The numeric address parsers, in Swift: each reads the whole text and accepts exactly the
// forms documented on the public initializers, the forms glibc's `inet_pton` accepts. Written
// here rather than passed to C because a C call reads a Swift string only up to its first NUL
// byte, and so would accept "127.0.0.1\0junk".

enum AddressText {
    /// Dotted-quad IPv4 text: four decimal numbers 0 to 255 of one to three digits, no leading
    /// zeros ("01" is refused, as `inet_pton` does), separated by single dots; nothing else.
    static func ipv4(_ text: Substring.UTF8View) -> UInt32? {
        var value: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var parts = 0
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1
                part = 0
                digits = 0
            } else if let digit = decimal(byte) {
                guard digits == 0 || part != 0 else { return nil }  // A leading zero.
                part = part * 10 + UInt32(digit)
                digits += 1
                guard part <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    /// IPv6 text (RFC 4291 §2.2): eight groups of one to four hex digits separated by colons;
    /// one "::" may stand for one or more zero groups; the last 32 bits may be written as a
    /// dotted quad. No scope, no brackets, nothing else.
    static func ipv6(_ text: Substring.UTF8View) -> (high: UInt64, low: UInt64)? {
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var gap: Int? = nil  // Where "::" stands, as a count of groups before it.
        var index = text.startIndex
        if text.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            gap = 0
            index = text.index(index, offsetBy: 2)
            if index == text.endIndex { return (0, 0) }
        } else if text.first == UInt8(ascii: ":") {
            return nil
        }
        while true {
            // One group, or a dotted quad at the end.
            var end = index
            var value: UInt32 = 0
            var digits = 0
            while end != text.endIndex, let digit = hex(text[end]) {
                value = value << 4 | UInt32(digit)
                digits += 1
                end = text.index(after: end)
            }
            if end != text.endIndex && text[end] == UInt8(ascii: ".") {
                guard groups.count <= 6, let quad = ipv4(text[index...]) else { return nil }
                groups.append(UInt16(quad >> 16))
                groups.append(UInt16(quad & 0xFFFF))
                break
            }
            guard digits >= 1, digits <= 4, groups.count < 8 else { return nil }
            groups.append(UInt16(value))
            if end == text.endIndex { break }
            guard text[end] == UInt8(ascii: ":") else { return nil }
            index = text.index(after: end)
            guard index != text.endIndex else { return nil }  // A trailing single colon.
            if text[index] == UInt8(ascii: ":") {
                guard gap == nil else { return nil }  // A second "::".
                gap = groups.count
                index = text.index(after: index)
                if index == text.endIndex { break }
            }
        }
        if let gap {
            guard groups.count < 8 else { return nil }  // "::" must stand for a group at least.
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gap)
        } else {
            guard groups.count == 8 else { return nil }
        }
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return (high, low)
    }

    /// A numeric scope id as glibc reads one: decimal digits only (no sign, no space), at most
    /// `UInt32.max`.
    static func scopeNumber(_ text: Substring.UTF8View) -> UInt32? {
        guard !text.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in text {
            guard let digit = decimal(byte) else { return nil }
            value = value * 10 + UInt64(digit)
            guard value <= UInt64(UInt32.max) else { return nil }
        }
        return UInt32(value)
    }

    private static func decimal(_ byte: UInt8) -> UInt8? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : nil
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
