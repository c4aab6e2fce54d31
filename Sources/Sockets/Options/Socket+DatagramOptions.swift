// Datagram options: segmentation offload, coalesced receive, per-datagram metadata, the
// error queue and the path MTU. The IP-level ones have an IPv4 and an IPv6 name; the socket's
// family picks one (an IPv6 socket also sets the IPv4 one, for IPv4-mapped traffic).

extension Socket {
    /// The segment size every send is cut into by the kernel (`UDP_SEGMENT`), 0 for none.
    /// Per datagram, ``OutgoingDatagram/segmentSize`` does the same. Linux only.
    public var segmentSize: Int {
        get throws(SocketError) { try intOption(Constants.sol_udp, Constants.udp_segment, "UDP_SEGMENT") }
    }
    /// Sets ``segmentSize``.
    ///
    /// - Parameter size: bytes per datagram, 1 to 65,507, or 0 for none.
    /// - Throws: ``SocketError`` of kind `.system`: `.invalidArgument` for a size out of range,
    ///   `.optionNotAvailable` where the kernel has no segmentation offload.
    ///
    /// The corresponding C function is `setsockopt(UDP_SEGMENT)`.
    public borrowing func setSegmentSize(_ size: Int) throws(SocketError) {
        guard size >= 0, size <= OutgoingDatagram.maxDatagramSize else {
            throw .invalid("setsockopt", "segment size \(size) is not 0 to \(OutgoingDatagram.maxDatagramSize) bytes",
                           target: "UDP_SEGMENT")
        }
        try setIntOption(Constants.sol_udp, Constants.udp_segment, "UDP_SEGMENT", size)
    }

    /// Whether the kernel may coalesce datagrams of one sender into one receive (`UDP_GRO`);
    /// each receive then reports the datagrams' size in ``ReceivedDatagram/segmentSize``.
    /// Read such a socket with ``receiveMessage(into:flags:)`` or a ``DatagramBatch`` made
    /// with `metadata: true`, never with a call that cannot see the segment size. Linux only.
    public var receiveCoalescing: Bool {
        get throws(SocketError) { try boolOption(Constants.sol_udp, Constants.udp_gro, "UDP_GRO") }
    }
    /// Sets ``receiveCoalescing``.
    ///
    /// - Parameter on: whether to coalesce.
    /// - Throws: ``SocketError`` of kind `.system`: `.optionNotAvailable` where the kernel has
    ///   no coalesced receive.
    ///
    /// The corresponding C function is `setsockopt(UDP_GRO)`.
    public borrowing func setReceiveCoalescing(_ on: Bool) throws(SocketError) {
        try setBoolOption(Constants.sol_udp, Constants.udp_gro, "UDP_GRO", on)
    }

    /// Whether each datagram's destination address and interface are reported
    /// (`IP_PKTINFO`/`IPV6_RECVPKTINFO`), in ``ReceivedDatagram/destination`` and
    /// ``ReceivedDatagram/interfaceIndex``.
    public var receivePacketInfo: Bool {
        get throws(SocketError) {
            try familyBoolOption((Constants.ip_pktinfo, "IP_PKTINFO"), (Constants.ipv6_recvpktinfo, "IPV6_RECVPKTINFO"))
        }
    }
    /// Sets ``receivePacketInfo``.
    ///
    /// - Parameter on: whether to report them.
    /// - Throws: ``SocketError`` of kind `.system` (`.optionNotAvailable`).
    ///
    /// The corresponding C function is `setsockopt(IP_PKTINFO)` or `setsockopt(IPV6_RECVPKTINFO)`.
    public borrowing func setReceivePacketInfo(_ on: Bool) throws(SocketError) {
        try setFamilyOption((Constants.ip_pktinfo, "IP_PKTINFO"), (Constants.ipv6_recvpktinfo, "IPV6_RECVPKTINFO"), on ? 1 : 0)
    }

    /// Whether each datagram's ECN bits are reported (`IP_RECVTOS`/`IPV6_RECVTCLASS`), in
    /// ``ReceivedDatagram/ecn``.
    public var receiveECN: Bool {
        get throws(SocketError) {
            try familyBoolOption((Constants.ip_recvtos, "IP_RECVTOS"), (Constants.ipv6_recvtclass, "IPV6_RECVTCLASS"))
        }
    }
    /// Sets ``receiveECN``.
    ///
    /// - Parameter on: whether to report them.
    /// - Throws: ``SocketError`` of kind `.system` (`.optionNotAvailable`).
    ///
    /// The corresponding C function is `setsockopt(IP_RECVTOS)` or `setsockopt(IPV6_RECVTCLASS)`.
    public borrowing func setReceiveECN(_ on: Bool) throws(SocketError) {
        try setFamilyOption((Constants.ip_recvtos, "IP_RECVTOS"), (Constants.ipv6_recvtclass, "IPV6_RECVTCLASS"), on ? 1 : 0)
    }

    /// Whether each datagram carries the kernel's receive time (`SO_TIMESTAMPNS`), in
    /// ``ReceivedDatagram/timestamp``.
    public var receiveTimestamps: Bool {
        get throws(SocketError) { try boolOption(Constants.sol_socket, Constants.so_timestampns, "SO_TIMESTAMPNS") }
    }
    /// Sets ``receiveTimestamps``.
    ///
    /// - Parameter on: whether to stamp.
    /// - Throws: ``SocketError`` of kind `.system` (`.optionNotAvailable` where there is no
    ///   `SO_TIMESTAMPNS`).
    ///
    /// The corresponding C function is `setsockopt(SO_TIMESTAMPNS)`.
    public borrowing func setReceiveTimestamps(_ on: Bool) throws(SocketError) {
        try setBoolOption(Constants.sol_socket, Constants.so_timestampns, "SO_TIMESTAMPNS", on)
    }

    /// Whether ICMP and local errors about sent datagrams are queued for
    /// ``nextQueuedError()`` (`IP_RECVERR`/`IPV6_RECVERR`). With it on, an unconnected socket
    /// also learns of such errors.
    public var receiveErrors: Bool {
        get throws(SocketError) {
            try familyBoolOption((Constants.ip_recverr, "IP_RECVERR"), (Constants.ipv6_recverr, "IPV6_RECVERR"))
        }
    }
    /// Sets ``receiveErrors``.
    ///
    /// - Parameter on: whether to queue them.
    /// - Throws: ``SocketError`` of kind `.system` (`.optionNotAvailable`).
    ///
    /// The corresponding C function is `setsockopt(IP_RECVERR)` or `setsockopt(IPV6_RECVERR)`.
    public borrowing func setReceiveErrors(_ on: Bool) throws(SocketError) {
        try setFamilyOption((Constants.ip_recverr, "IP_RECVERR"), (Constants.ipv6_recverr, "IPV6_RECVERR"), on ? 1 : 0)
    }

    /// Whether datagrams may be fragmented, or are sent with don't-fragment and refused over
    /// the path MTU (`IP_MTU_DISCOVER`/`IPV6_MTU_DISCOVER`).
    public var pathMTUDiscovery: PathMTUDiscovery {
        get throws(SocketError) {
            PathMTUDiscovery(rawValue: Int32(try familyIntOption(
                (Constants.ip_mtu_discover, "IP_MTU_DISCOVER"), (Constants.ipv6_mtu_discover, "IPV6_MTU_DISCOVER"))))
        }
    }
    /// Sets ``pathMTUDiscovery``.
    ///
    /// - Parameter mode: `.dontFragment` to have datagrams over the path MTU refused with
    ///   `EMSGSIZE`; `.allowFragmentation`, `.routeDefault` or `.probe`.
    /// - Throws: ``SocketError`` of kind `.system` (`.invalidArgument` for an unknown mode).
    ///
    /// The corresponding C function is `setsockopt(IP_MTU_DISCOVER)` or `setsockopt(IPV6_MTU_DISCOVER)`.
    public borrowing func setPathMTUDiscovery(_ mode: PathMTUDiscovery) throws(SocketError) {
        try setFamilyOption((Constants.ip_mtu_discover, "IP_MTU_DISCOVER"),
                            (Constants.ipv6_mtu_discover, "IPV6_MTU_DISCOVER"), Int(mode.rawValue))
    }

    /// The path MTU the kernel knows for a connected socket's peer (`IP_MTU`/`IPV6_MTU`), in
    /// bytes of IP packet. Read-only.
    ///
    /// The corresponding C function is `getsockopt(IP_MTU)` or `getsockopt(IPV6_MTU)`; it
    /// fails with `ENOTCONN` on an unconnected socket.
    public var pathMTU: Int {
        get throws(SocketError) {
            try familyIntOption((Constants.ip_mtu, "IP_MTU"), (Constants.ipv6_mtu, "IPV6_MTU"))
        }
    }

    /// Reads the IPv4 or IPv6 form of an `int` option, per the socket's family.
    private borrowing func familyIntOption(
        _ v4: (name: Int32, cName: String), _ v6: (name: Int32, cName: String)
    ) throws(SocketError) -> Int {
        if offloadState.contains(.ipv6) {
            return try intOption(Constants.ipproto_ipv6, v6.name, v6.cName)
        }
        return try intOption(Constants.ipproto_ip, v4.name, v4.cName)
    }

    /// Reads the IPv4 or IPv6 form of a Boolean option.
    private borrowing func familyBoolOption(
        _ v4: (name: Int32, cName: String), _ v6: (name: Int32, cName: String)
    ) throws(SocketError) -> Bool {
        try familyIntOption(v4, v6) != 0
    }

    /// Sets the IPv4 or IPv6 form of an `int` option, per the socket's family; an IPv6 socket
    /// also gets the IPv4 form where it takes it (for IPv4-mapped traffic).
    private borrowing func setFamilyOption(
        _ v4: (name: Int32, cName: String), _ v6: (name: Int32, cName: String), _ value: Int
    ) throws(SocketError) {
        if offloadState.contains(.ipv6) {
            try setIntOption(Constants.ipproto_ipv6, v6.name, v6.cName, value)
            try? setIntOption(Constants.ipproto_ip, v4.name, v4.cName, value)
        } else {
            try setIntOption(Constants.ipproto_ip, v4.name, v4.cName, value)
        }
    }
}
