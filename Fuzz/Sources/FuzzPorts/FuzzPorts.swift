// Port and service parsing: digits give exactly their number (or an error above 65535), a NUL
// byte is refused, and a name that resolves maps to a port whose own name resolves back to it.

import Sockets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPorts(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: min(size, 64)), as: UTF8.self)
    let digits = !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    let result = try? Service.port(text, protocol: size % 2 == 0 ? .tcp : .udp)
    if digits {
        let value = text.drop { $0 == "0" }.count > 5 ? nil : Int(text).flatMap { $0 <= 65535 ? UInt16($0) : nil }
        precondition(result == value, "port \(text.debugDescription): got \(String(describing: result)), expected \(String(describing: value))")
    }
    if text.utf8.contains(0) || text.isEmpty {
        precondition(result == nil, "accepted \(text.debugDescription)")
    }
    if let port = result, !digits, let name = Service.name(ofPort: port, protocol: size % 2 == 0 ? .tcp : .udp) {
        precondition((try? Service.port(name, protocol: size % 2 == 0 ? .tcp : .udp)) == port,
                     "service \(name) of port \(port) does not map back")
    }
    return 0
}
