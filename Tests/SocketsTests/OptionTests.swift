import Sockets
import Testing

/// One option's set-then-get round trip on one family: a failure names the option and the
/// family (as socket2's `test!` macro does).
struct OptionCase: Sendable, CustomTestStringConvertible {
    var option: String
    var family: AddressFamily
    var type: SocketType = .stream
    var roundTrip: @Sendable (borrowing Socket) throws -> Void

    var testDescription: String { "\(option) over \(family)" }

    /// The cases for `families`, one each.
    static func on(
        _ families: [AddressFamily], _ option: String, type: SocketType = .stream,
        _ roundTrip: @escaping @Sendable (borrowing Socket) throws -> Void
    ) -> [OptionCase] {
        families.map { OptionCase(option: option, family: $0, type: type, roundTrip: roundTrip) }
    }

    static let both: [AddressFamily] = [.ipv4, .ipv6]

    static let all: [OptionCase] = [
        on(both, "UDP_SEGMENT", type: .datagram) { socket in
            for size in [1200, 0] { try socket.setSegmentSize(size); #expect(try socket.segmentSize == size) }
        },
        on(both, "UDP_GRO", type: .datagram) { socket in
            for on in [true, false] { try socket.setReceiveCoalescing(on); #expect(try socket.receiveCoalescing == on) }
        },
        on(both, "IP_PKTINFO/IPV6_RECVPKTINFO", type: .datagram) { socket in
            for on in [true, false] { try socket.setReceivePacketInfo(on); #expect(try socket.receivePacketInfo == on) }
        },
        on(both, "IP_RECVTOS/IPV6_RECVTCLASS", type: .datagram) { socket in
            for on in [true, false] { try socket.setReceiveECN(on); #expect(try socket.receiveECN == on) }
        },
        on(both, "SO_TIMESTAMPNS", type: .datagram) { socket in
            for on in [true, false] { try socket.setReceiveTimestamps(on); #expect(try socket.receiveTimestamps == on) }
        },
        on(both, "IP_RECVERR/IPV6_RECVERR", type: .datagram) { socket in
            for on in [true, false] { try socket.setReceiveErrors(on); #expect(try socket.receiveErrors == on) }
        },
        on(both, "IP_MTU_DISCOVER/IPV6_MTU_DISCOVER", type: .datagram) { socket in
            for mode in [PathMTUDiscovery.dontFragment, .allowFragmentation, .probe, .routeDefault] {
                try socket.setPathMTUDiscovery(mode)
                #expect(try socket.pathMTUDiscovery == mode)
            }
        },
        on(both, "SO_REUSEADDR") { socket in
            for on in [true, false] { try socket.setReuseAddress(on); #expect(try socket.reuseAddress == on) }
        },
        on(both, "SO_REUSEPORT") { socket in
            for on in [true, false] { try socket.setReusePort(on); #expect(try socket.reusePort == on) }
        },
        on(both, "SO_KEEPALIVE") { socket in
            for on in [true, false] { try socket.setKeepAlive(on); #expect(try socket.keepAlive == on) }
        },
        on(both, "SO_RCVBUF") { socket in
            try socket.setReceiveBufferSize(65536)
            #expect(try socket.receiveBufferSize >= 65536)
        },
        on(both, "SO_SNDBUF") { socket in
            try socket.setSendBufferSize(32768)
            #expect(try socket.sendBufferSize >= 32768)
        },
        on(both, "SO_LINGER") { socket in
            for value in [Duration.seconds(3), .zero, nil] {
                try socket.setLinger(value)
                #expect(try socket.linger == value)
            }
        },
        on(both, "SO_RCVTIMEO") { socket in
            for value in [Duration.milliseconds(1500), nil] {
                try socket.setReceiveTimeout(value)
                #expect(try socket.receiveTimeout == value)
            }
        },
        on(both, "SO_SNDTIMEO") { socket in
            for value in [Duration.seconds(2), nil] {
                try socket.setSendTimeout(value)
                #expect(try socket.sendTimeout == value)
            }
        },
        on(both, "SO_ERROR") { socket in
            let pending = try socket.pendingError
            #expect(pending == nil)
        },
        on(both, "SO_TYPE") { socket in
            let type = try socket.type
            #expect(type == .stream)
        },
        on(both, "SO_BROADCAST", type: .datagram) { socket in
            #expect(try socket.type == .datagram)
            for on in [true, false] { try socket.setBroadcast(on); #expect(try socket.broadcast == on) }
        },
        on(both, "TCP_NODELAY") { socket in
            for on in [true, false] { try socket.setNoDelay(on); #expect(try socket.noDelay == on) }
        },
        on(both, "TCP_KEEPIDLE") { socket in
            try socket.setKeepAliveIdle(.seconds(30))
            #expect(try socket.keepAliveIdle == .seconds(30))
        },
        on(both, "TCP_KEEPINTVL") { socket in
            try socket.setKeepAliveInterval(.seconds(5))
            #expect(try socket.keepAliveInterval == .seconds(5))
        },
        on(both, "TCP_KEEPCNT") { socket in
            try socket.setKeepAliveCount(4)
            #expect(try socket.keepAliveCount == 4)
        },
        on([.ipv4], "IP_TTL") { socket in
            try socket.setTimeToLive(42)
            #expect(try socket.timeToLive == 42)
        },
        on([.ipv6], "IPV6_UNICAST_HOPS") { socket in
            try socket.setUnicastHops(17)
            #expect(try socket.unicastHops == 17)
        },
        on([.ipv6], "IPV6_V6ONLY") { socket in
            for on in [true, false] { try socket.setIPv6Only(on); #expect(try socket.ipv6Only == on) }
        },
        on(both, "SO_ZEROCOPY") { socket in
            for on in [true, false] { try socket.setZeroCopy(on); #expect(try socket.zeroCopy == on) }
        },
    ].flatMap { $0 }
}

@Suite struct OptionTests {
    @Test func tcpInfoReportsTheConnection() throws {
        let pair = try connectedPair()
        let client = pair.client, server = pair.server
        let bytes = [UInt8](repeating: 7, count: 1 << 20)
        let reader = Loopback.onThread(adopting: server.releaseDescriptor()) { socket in
            var buffer = ReceiveBuffer(capacity: 65536)
            guard try socket.receiveAll(using: &buffer, limit: 1 << 20) { _ in } == 1 << 20 else { throw TestTimeout() }
            let info = try socket.tcpInfo
            guard info.state == 1, (info.bytesReceived ?? 0) >= 1 << 20 else { throw TestTimeout() }
        }
        try client.sendAll(bytes)
        try reader.wait()
        let info = try client.tcpInfo
        #expect(info.state == 1 || info.state == 8)  // ESTABLISHED, or CLOSE_WAIT once the reader closed
        #expect(info.sendMSS > 0 && info.congestionWindow > 0 && info.pathMTU > 0)
        #expect(info.roundTripTime > .zero && info.roundTripTime < .seconds(5))
        #expect((info.bytesAcknowledged ?? 0) >= 1 << 20 - 65536)
        #expect(info.deliveryRate != nil && info.totalRetransmits >= 0)
        let udp = try Socket(.ipv4, .datagram)
        let error = #expect(throws: SocketError.self) { _ = try udp.tcpInfo }
        #expect(error?.kind == .system(.notSupported))
    }

    @Test(arguments: OptionCase.all)
    func roundTrips(_ option: OptionCase) throws {
        let socket = try Socket(option.family, option.type)
        try option.roundTrip(socket)
    }

    @Test func outOfRangeValuesGetClearErrors() throws {
        let socket = try Socket(.ipv4, .stream)
        #expect {
            try socket.setTimeToLive(300)
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .system(.invalidArgument) && error.target == "IP_TTL"
        }
        #expect(throws: SocketError.self) { try socket.setKeepAliveCount(Int(Int32.max) + 1) }
        #expect(throws: SocketError.self) { try socket.setKeepAliveIdle(.milliseconds(1500)) }
        #expect(throws: SocketError.self) { try socket.setLinger(.seconds(-1)) }
        #expect(throws: SocketError.self) { try socket.setReceiveTimeout(.seconds(-1)) }
        #expect {
            try socket.ipv6Only
        } throws: { error in
            // ENOPROTOOPT on Linux; some kernels (gVisor) say EOPNOTSUPP.
            let kind = (error as? SocketError)?.kind
            return kind == .system(.optionNotAvailable) || kind == .system(.notSupported)
        }
    }

    @Test func rawOptionsRoundTrip() throws {
        let socket = try Socket(.ipv4, .stream)
        try socket.setNoDelay(true)
        var value: Int32 = 0
        // IPPROTO_TCP = 6 and TCP_NODELAY = 1 on every platform.
        let length = try withUnsafeMutableBytes(of: &value) {
            try socket.rawOption(level: 6, name: 1, into: $0)
        }
        #expect(length == 4 && value != 0)
        var off: Int32 = 0
        try withUnsafeBytes(of: &off) { try socket.setRawOption(level: 6, name: 1, value: $0) }
        #expect(try socket.noDelay == false)
    }
}
