// The address parsers checked against an independent implementation, glibc's: `inet_pton` for
// IPv4 and IPv6 text, and `getaddrinfo(AI_NUMERICHOST)` for an IPv6 address with a scope. The
// cases are generated (seeded): valid addresses, near-misses made by mutating them, and junk.
// Text with a NUL byte must be refused outright: C would read only the part before the NUL.

import Sockets
import SocketsTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

#if canImport(Glibc)
@Suite struct AddressParserAgreementTests {
    static let seed: UInt64 = 20_261_125
    static let count = 30_000

    @Test func ipv4AndIPv6AgreeWithInetPton() {
        var random = SeededGenerator(seed: Self.seed)
        var accepted = (ipv4: 0, ipv6: 0)
        for _ in 0..<Self.count {
            let text = addressLikeText(&random)
            let ipv4 = IPv4Address(text)
            let ipv6 = IPv6Address(text)
            if text.utf8.contains(0) {
                #expect(ipv4 == nil && ipv6 == nil, "\(String(reflecting: text))")
                continue
            }
            #expect(ipv4?.rawValue == glibcIPv4(text), "IPv4 \(String(reflecting: text))")
            #expect(ipv6 == glibcIPv6(text), "IPv6 \(String(reflecting: text))")
            if ipv4 != nil { accepted.ipv4 += 1 }
            if ipv6 != nil { accepted.ipv6 += 1 }
        }
        // The generator must reach both sides of each parser, or the agreement means little.
        #expect(accepted.ipv4 > Self.count / 20 && accepted.ipv6 > Self.count / 20)
        print("address agreement: \(Self.count) strings (seed \(Self.seed)), \(accepted.ipv4) IPv4 and \(accepted.ipv6) IPv6 accepted by both")
    }

    @Test func scopedIPv6AgreesWithGetaddrinfo() {
        var random = SeededGenerator(seed: Self.seed + 1)
        var accepted = 0
        for _ in 0..<Self.count / 3 {
            let text = ipv6Text(&random) + scopeText(&random)
            let ours: (IPv6Address, UInt32)? = {
                guard case .ipv6(let address, _, _, let scope)? = try? SocketAddress(text) else { return nil }
                return (address, scope)
            }()
            let theirs = glibcScoped(text)
            #expect(ours?.0 == theirs?.0 && ours?.1 == theirs?.1, "\(String(reflecting: text))")
            if ours != nil { accepted += 1 }
        }
        #expect(accepted > Self.count / 30)
        print("scope agreement: \(Self.count / 3) scoped strings (seed \(Self.seed + 1)), \(accepted) accepted by both")
    }

    @Test(arguments: ["127.0.0.1\0", "127.0.0.1\0junk", "::1\0", "[::1\0]:80", "127.0.0.1:80\0",
                      "fe80::1%lo\0x", "fe80::1%+1", "fe80::1%-0", "fe80::1% 1", "fe80::1%",
                      "fe80::1%4294967296", "2001:db8::1%lo", "01.2.3.4", "1.2.3.4.", " 1.2.3.4",
                      "::1 ", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "::ffff:1.2.3.04"])
    func refusesTextThatIsNotExactlyAnAddress(_ text: String) {
        #expect(throws: SocketError.self, "\(String(reflecting: text))") { try SocketAddress(text) }
    }

    @Test func acceptsTheDocumentedScopeForms() throws {
        #expect(try SocketAddress("fe80::1%lo") == .ipv6(IPv6Address("fe80::1")!, port: 0, scopeID: if_nametoindex("lo")))
        #expect(try SocketAddress("2001:db8::1%7") == .ipv6(IPv6Address("2001:db8::1")!, port: 0, scopeID: 7))
        #expect(try SocketAddress("[ff02::1%4294967295]:5") == .ipv6(IPv6Address("ff02::1")!, port: 5, scopeID: .max))
    }
}

// MARK: - Generators

private func addressLikeText(_ random: inout SeededGenerator) -> String {
    var text: String
    switch Int.random(in: 0..<10, using: &random) {
    case 0...2: text = ipv4Text(&random)
    case 3...6: text = ipv6Text(&random)
    case 7: text = hostileText(&random)
    default: text = Bool.random(using: &random) ? "::ffff:" + ipv4Text(&random) : ipv6Text(&random)
    }
    // Mutate about half: near-misses are where parsers disagree.
    let mutations = Int.random(in: 0..<2, using: &random) == 0 ? 0 : Int.random(in: 1...3, using: &random)
    for _ in 0..<mutations { text = mutate(text, &random) }
    return text
}

private func ipv4Text(_ random: inout SeededGenerator) -> String {
    (0..<4).map { _ -> String in
        switch Int.random(in: 0..<12, using: &random) {
        case 0: "0\(Int.random(in: 0...99, using: &random))"  // A leading zero.
        case 1: "\(Int.random(in: 256...1000, using: &random))"
        default: "\(Int.random(in: 0...255, using: &random))"
        }
    }.joined(separator: ".")
}

private func ipv6Text(_ random: inout SeededGenerator) -> String {
    let prefixes = ["fe80", "FE80", "febf", "fec0", "ff02", "ff12", "ff01", "ff05", "2001", "0", "fd00"]
    var groups = (0..<8).map { _ -> String in
        let digits = Int.random(in: 1...4, using: &random)
        let value = String(Int.random(in: 0...0xFFFF, using: &random), radix: 16, uppercase: Bool.random(using: &random))
        return String(String(repeating: "0", count: 4) + value).suffix(digits).description
    }
    groups[0] = prefixes.randomElement(using: &random)!
    var text: String
    let withQuad = Int.random(in: 0..<4, using: &random) == 0
    if withQuad { groups.removeLast(2) }
    if Bool.random(using: &random) {
        let start = Int.random(in: 0..<groups.count, using: &random)
        let end = Int.random(in: start...groups.count, using: &random)
        text = groups[..<start].joined(separator: ":") + "::" + groups[end...].joined(separator: ":")
    } else {
        text = groups.joined(separator: ":")
    }
    if withQuad { text += (text.hasSuffix(":") ? "" : ":") + ipv4Text(&random) }
    return text
}

private func scopeText(_ random: inout SeededGenerator) -> String {
    ["", "%lo", "%1", "%0", "%01", "%+1", "%-1", "% 1", "%", "%%1", "%4294967295", "%4294967296",
     "%nosuchif9", "%lo0", "%1a", "%LO", "%\(Int.random(in: 0...99_999, using: &random))"]
        .randomElement(using: &random)!
}

private func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
    var bytes = Array(text.utf8)
    let alphabet = Array("0123456789abcdefABCDEFg:.%[] \0+-x".utf8)
    let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
    switch Int.random(in: 0..<4, using: &random) {
    case 0 where !bytes.isEmpty: bytes.remove(at: position)
    case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
    case 2 where !bytes.isEmpty: bytes[position] = alphabet.randomElement(using: &random)!
    default: bytes.insert(contentsOf: bytes[position...].prefix(2), at: position)
    }
    return String(decoding: bytes, as: UTF8.self)
}

// MARK: - The reference: glibc

private func glibcIPv4(_ text: String) -> UInt32? {
    var address = in_addr()
    return inet_pton(AF_INET, text, &address) == 1 ? UInt32(bigEndian: address.s_addr) : nil
}

private func glibcIPv6(_ text: String) -> IPv6Address? {
    var address = in6_addr()
    guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
    return withUnsafeBytes(of: &address) { IPv6Address(bytes: $0) }
}

/// The address and scope glibc's resolver reads from numeric IPv6 text with a scope.
private func glibcScoped(_ text: String) -> (IPv6Address, UInt32)? {
    guard !text.utf8.contains(0) else { return nil }
    var hints = addrinfo()
    hints.ai_family = AF_INET6
    hints.ai_flags = AI_NUMERICHOST
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var result: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(text, nil, &hints, &result) == 0, let first = result else { return nil }
    defer { freeaddrinfo(result) }
    let raw = UnsafeRawPointer(first.pointee.ai_addr!).loadUnaligned(as: sockaddr_in6.self)
    var bytes = raw.sin6_addr
    let address = withUnsafeBytes(of: &bytes) { IPv6Address(bytes: $0)! }
    return (address, raw.sin6_scope_id)
}
#endif
