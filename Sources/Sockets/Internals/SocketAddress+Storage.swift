// Conversion between the library's address values and the C `sockaddr` family.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension IPv6Address {
    /// From the C form.
    init(_ raw: in6_addr) {
        self = withUnsafeBytes(of: raw) { IPv6Address(loading: $0) }
    }

    /// The C form.
    var in6: in6_addr {
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { store(into: $0) }
        return raw
    }

    /// Reads the 16 bytes of the C form (an `in6_addr` or a packet-info address), in network
    /// order, without allocating.
    init(loading bytes: UnsafeRawBufferPointer) {
        self.init(high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                  low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// Writes the 16 bytes of the C form, in network order, into `bytes`.
    func store(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: high.bigEndian, as: UInt64.self)
        bytes.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
    }
}

extension SocketAddress {
    /// Calls `body` with the C form of the address and its length, built on the stack.
    /// Throws `ENAMETOOLONG` for a Unix path that does not fit `sun_path`.
    @inline(__always)
    func withSockAddr<R>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Errno) -> R
    ) throws(Errno) -> R {
        switch self {
        case .ipv4(let address, let port):
            var raw = sockaddr_in()
            #if canImport(Darwin)
            raw.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
            #endif
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = port.bigEndian
            raw.sin_addr = in_addr(s_addr: address.rawValue.bigEndian)
            return try withGenericAddress(&raw, MemoryLayout<sockaddr_in>.size, body)
        case .ipv6(let address, let port, let flowInfo, let scopeID):
            var raw = sockaddr_in6()
            #if canImport(Darwin)
            raw.sin6_len = UInt8(MemoryLayout<sockaddr_in6>.size)
            #endif
            raw.sin6_family = sa_family_t(AF_INET6)
            raw.sin6_port = port.bigEndian
            raw.sin6_flowinfo = flowInfo.bigEndian
            raw.sin6_addr = address.in6
            raw.sin6_scope_id = scopeID
            return try withGenericAddress(&raw, MemoryLayout<sockaddr_in6>.size, body)
        case .unix(let path):
            var raw = sockaddr_un()
            #if canImport(Darwin)
            raw.sun_len = UInt8(MemoryLayout<sockaddr_un>.size)
            #endif
            raw.sun_family = sa_family_t(AF_UNIX)
            let capacity = MemoryLayout.size(ofValue: raw.sun_path)
            let bytes = Array(path.utf8)
            guard bytes.count < capacity else { throw .nameTooLong }
            guard !bytes.contains(0) else { throw .invalidArgument }
            withUnsafeMutableBytes(of: &raw.sun_path) { $0.copyBytes(from: bytes) }
            let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + 1
            return try withGenericAddress(&raw, length, body)
        }
    }

    /// Calls `body` with `raw` (a `sockaddr_in`, `sockaddr_in6` or `sockaddr_un`) seen as a
    /// generic `sockaddr` of `length` bytes.
    @inline(__always)
    private func withGenericAddress<T, R>(
        _ raw: inout T, _ length: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Errno) -> R
    ) throws(Errno) -> R {
        try withUnsafePointer(to: &raw) { (pointer) throws(Errno) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(Errno) in
                try body(address, socklen_t(length))
            }
        }
    }

    /// The address in a `sockaddr_storage` of `length` bytes; `nil` for an unknown family or
    /// an unnamed Unix socket.
    init?(storage: sockaddr_storage, length: socklen_t) {
        var storage = storage
        let address = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                SocketAddress(address: $0, length: length)
            }
        }
        guard let address else { return nil }
        self = address
    }

    /// The address that `address` points at, `length` bytes long.
    init?(address: UnsafePointer<sockaddr>, length: socklen_t) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET where Int(length) >= MemoryLayout<sockaddr_in>.size:
            let raw = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self)
            self = .ipv4(IPv4Address(rawValue: UInt32(bigEndian: raw.sin_addr.s_addr)),
                         port: UInt16(bigEndian: raw.sin_port))
        case AF_INET6 where Int(length) >= MemoryLayout<sockaddr_in6>.size:
            let raw = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in6.self)
            self = .ipv6(IPv6Address(raw.sin6_addr), port: UInt16(bigEndian: raw.sin6_port),
                         flowInfo: UInt32(bigEndian: raw.sin6_flowinfo), scopeID: raw.sin6_scope_id)
        case AF_UNIX:
            let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
            let pathLength = Int(length) - offset
            guard pathLength > 0 else { return nil }
            let bytes = UnsafeRawBufferPointer(
                start: UnsafeRawPointer(address) + offset, count: pathLength)
            let path = bytes.prefix { $0 != 0 }
            self = .unix(path: String(decoding: path, as: UTF8.self))
        default:
            return nil
        }
    }
}
