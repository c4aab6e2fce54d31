// Address parsing: whatever parses formats back to text that parses to the same value, and
// text C would read only in part (a NUL byte) is refused.

import Sockets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAddresses(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let hasNul = text.utf8.contains(0)
    if let address = IPv4Address(text) {
        precondition(!hasNul, "IPv4Address accepted text with a NUL: \(text.debugDescription)")
        precondition(IPv4Address(address.description) == address, "IPv4 round trip failed for \(text.debugDescription)")
    }
    if let address = IPv6Address(text) {
        precondition(!hasNul, "IPv6Address accepted text with a NUL: \(text.debugDescription)")
        precondition(IPv6Address(address.description) == address, "IPv6 round trip failed for \(text.debugDescription)")
    }
    if let address = try? SocketAddress(text, port: 7) {
        precondition(!hasNul, "SocketAddress accepted text with a NUL: \(text.debugDescription)")
        let again = try? SocketAddress(address.description)
        precondition(again == address, "SocketAddress round trip: \(text.debugDescription) -> \(address) -> \(String(describing: again))")
    }
    if let address = IPAddress(text) {
        precondition(IPAddress(address.description) == address, "IPAddress round trip failed for \(text.debugDescription)")
    }
    return 0
}
