// The control messages of datagram metadata: written for a send (segment size, ECN bits,
// source), read after a receive (segment size, destination, interface, ECN bits, timestamp).

import CShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds and parses the per-datagram control messages.
enum DatagramControl {
    /// Room for every control message the library asks for on receive, per datagram.
    static let receiveSpace = 256

    /// Room for every control message the library writes on send.
    static let sendSpace = 128

    /// Writes the control messages `datagram` needs into `control` (at least ``sendSpace``
    /// bytes, aligned for `cmsghdr`), with `segmentSize` as the segment size to ask for.
    /// `ipv6Route` says whether the datagram goes over IPv6 (not to an IPv4-mapped address).
    /// Returns the bytes written.
    static func write(
        _ datagram: OutgoingDatagram, segmentSize: Int?, ipv6Route: Bool, into control: UnsafeMutableRawPointer
    ) -> Int {
        var length = 0
        if let segmentSize {
            length += appendMessage(Constants.sol_udp, Constants.udp_segment, UInt16(truncatingIfNeeded: segmentSize), at: control + length)
        }
        if let ecn = datagram.ecn {
            if ipv6Route {
                length += appendMessage(Constants.ipproto_ipv6, Constants.ipv6_tclass, Int32(ecn.rawValue), at: control + length)
            } else {
                length += appendMessage(Constants.ipproto_ip, Constants.ip_tos, Int32(ecn.rawValue), at: control + length)
            }
        }
        if datagram.source != nil || datagram.interfaceIndex != nil {
            let ipv6Source = datagram.source.map { $0.family == .ipv6 } ?? ipv6Route
            if ipv6Source {
                var info = cshims_in6_pktinfo()
                if case .v6(let address) = datagram.source {
                    withUnsafeMutableBytes(of: &info.addr) { address.store(into: $0) }
                }
                info.ifindex = datagram.interfaceIndex ?? 0
                length += appendMessage(Constants.ipproto_ipv6, Constants.ipv6_pktinfo, info, at: control + length)
            } else {
                var info = cshims_in_pktinfo()
                if case .v4(let address) = datagram.source { info.spec_dst = address.rawValue.bigEndian }
                info.ifindex = Int32(bitPattern: datagram.interfaceIndex ?? 0)
                length += appendMessage(Constants.ipproto_ip, Constants.ip_pktinfo, info, at: control + length)
            }
        }
        return length
    }

    /// Writes one control message of `value` at `room`; returns the space it took. (Not a
    /// closure over the running length: a capturing local function allocates its context in
    /// debug builds.)
    @inline(__always)
    private static func appendMessage<T: BitwiseCopyable>(
        _ level: Int32, _ type: Int32, _ value: T, at room: UnsafeMutableRawPointer
    ) -> Int {
        var header = cmsghdr()
        header.cmsg_len = numericCast(ControlMessages.headerLength + MemoryLayout<T>.size)
        header.cmsg_level = level
        header.cmsg_type = type
        room.storeBytes(of: header, as: cmsghdr.self)
        (room + ControlMessages.headerLength).storeBytes(of: value, as: T.self)
        return ControlMessages.space(for: MemoryLayout<T>.size)
    }

    /// Whether a datagram to `destination` travels over IPv6: to an IPv6 address that is not
    /// IPv4-mapped, or with no destination on an IPv6 socket.
    static func isIPv6Route(_ destination: SocketAddress?, ipv6Socket: Bool) -> Bool {
        switch destination {
        case .ipv6(let address, _, _, _): address.mappedIPv4 == nil
        case .ipv4: false
        default: ipv6Socket
        }
    }

    /// Reads the metadata in the first `length` bytes of `control` into `metadata`.
    static func read(_ control: UnsafeRawBufferPointer, length: Int, into metadata: inout ReceivedDatagram) {
        for message in ControlMessages(control, length: length) {
            let data = message.data
            switch (message.level, message.type) {
            case (Constants.sol_udp, Constants.udp_gro) where data.count >= 4:
                metadata.segmentSize = Int(data.loadUnaligned(as: Int32.self))
            case (Constants.ipproto_ip, Constants.ip_pktinfo) where data.count >= MemoryLayout<cshims_in_pktinfo>.size:
                let info = data.loadUnaligned(as: cshims_in_pktinfo.self)
                metadata.destination = .v4(IPv4Address(rawValue: UInt32(bigEndian: info.addr)))
                metadata.interfaceIndex = UInt32(bitPattern: info.ifindex)
            case (Constants.ipproto_ipv6, Constants.ipv6_pktinfo) where data.count >= MemoryLayout<cshims_in6_pktinfo>.size:
                let info = data.loadUnaligned(as: cshims_in6_pktinfo.self)
                metadata.destination = .v6(withUnsafeBytes(of: info.addr) { IPv6Address(loading: $0) })
                metadata.interfaceIndex = info.ifindex
            case (Constants.ipproto_ip, Constants.ip_tos) where data.count >= 1:
                metadata.ecn = ECN(bitsOf: data[0])
            case (Constants.ipproto_ipv6, Constants.ipv6_tclass) where data.count >= 4:
                metadata.ecn = ECN(bitsOf: UInt8(truncatingIfNeeded: data.loadUnaligned(as: Int32.self)))
            case (Constants.sol_socket, Constants.so_timestampns) where data.count >= MemoryLayout<timespec>.size:
                let time = data.loadUnaligned(as: timespec.self)
                metadata.timestamp = .seconds(Int64(time.tv_sec)) + .nanoseconds(Int64(time.tv_nsec))
            default:
                continue
            }
        }
    }
}
