// Which path sends datagrams on a socket, and what the socket has learned about it.

import Synchronization

/// How a socket's datagram sends reach the kernel: segmentation offload, or one datagram per
/// message. See ``Socket/datagramSendPath``.
public enum DatagramSendPath: Sendable, CustomStringConvertible {
    /// Segmentation offload (`UDP_SEGMENT`): equal-sized datagrams to one destination leave in
    /// one message that the kernel cuts up.
    case segmentationOffload
    /// One message per datagram, many per system call (`sendmmsg`): the socket is not UDP, or
    /// the kernel or the route refused segmentation offload on it.
    case batch

    /// The path's name: `"GSO"` or `"batch"`.
    public var description: String {
        switch self {
        case .segmentationOffload: "GSO"
        case .batch: "batch"
        }
    }
}

/// What a socket's datagram sends have learned, kept in one atomic byte on the socket.
struct OffloadState: OptionSet {
    let rawValue: UInt8

    /// Nothing learned yet: the socket's protocol has not been read.
    static let unknown: OffloadState = []
    /// The protocol and family have been read.
    static let probed = OffloadState(rawValue: 1)
    /// The socket is UDP, so segmented sends are possible.
    static let udp = OffloadState(rawValue: 2)
    /// The socket is IPv6.
    static let ipv6 = OffloadState(rawValue: 4)
    /// The kernel or the route refused a segmented send (`EIO`, `EINVAL`, `ENOPROTOOPT`): every
    /// later send takes the batch path.
    static let refused = OffloadState(rawValue: 8)

    /// Whether segmented sends are used.
    var usesOffload: Bool { contains(.udp) && !contains(.refused) }
}

extension Socket {
    /// Which path datagram sends take on this socket: ``DatagramSendPath/segmentationOffload``
    /// for a UDP socket until the kernel or the route refuses it once (then
    /// ``DatagramSendPath/batch`` for good), ``DatagramSendPath/batch`` for any other socket.
    ///
    /// Not a system call after the first ask, which reads the socket's protocol (`SO_PROTOCOL`).
    public var datagramSendPath: DatagramSendPath {
        offloadState.usesOffload ? .segmentationOffload : .batch
    }

    /// The offload state, reading the socket's protocol and family the first time.
    var offloadState: OffloadState {
        let state = OffloadState(rawValue: offload.load(ordering: .relaxed))
        if state.contains(.probed) { return state }
        var learned: OffloadState = .probed
        if let proto = try? Sys.option(descriptor, Constants.sol_socket, Constants.so_protocol, as: Int32.self, initial: 0),
           let type = try? Sys.option(descriptor, Constants.sol_socket, Constants.so_type, as: Int32.self, initial: 0),
           proto == Constants.ipproto_udp, type == Constants.sock_dgram, Constants.udp_segment >= 0 {
            learned.insert(.udp)
        }
        if let domain = try? Sys.option(descriptor, Constants.sol_socket, Constants.so_domain, as: Int32.self, initial: 0),
           domain == Constants.af_inet6 {
            learned.insert(.ipv6)
        }
        return OffloadState(rawValue: offload.bitwiseOr(learned.rawValue, ordering: .relaxed).newValue)
    }

    /// Remembers that the kernel or the route refused a segmented send.
    func noteOffloadRefused() {
        offload.bitwiseOr(OffloadState.refused.rawValue, ordering: .relaxed)
    }
}
