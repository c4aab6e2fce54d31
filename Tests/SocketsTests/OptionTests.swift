import Sockets
import Testing

@Suite struct OptionTests {
    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func socketLevelRoundTrips(_ family: AddressFamily) throws {
        let socket = try Socket(family, .stream)
        for on in [true, false] {
            try socket.setReuseAddress(on)
            #expect(try socket.reuseAddress == on)
            try socket.setReusePort(on)
            #expect(try socket.reusePort == on)
            try socket.setKeepAlive(on)
            #expect(try socket.keepAlive == on)
        }
        try socket.setReceiveBufferSize(65536)
        #expect(try socket.receiveBufferSize >= 65536)
        try socket.setSendBufferSize(32768)
        #expect(try socket.sendBufferSize >= 32768)
        try socket.setLinger(.seconds(3))
        #expect(try socket.linger == .seconds(3))
        try socket.setLinger(.zero)
        #expect(try socket.linger == .zero)
        try socket.setLinger(nil)
        #expect(try socket.linger == nil)
        try socket.setReceiveTimeout(.milliseconds(1500))
        #expect(try socket.receiveTimeout == .milliseconds(1500))
        try socket.setReceiveTimeout(nil)
        #expect(try socket.receiveTimeout == nil)
        try socket.setSendTimeout(.seconds(2))
        #expect(try socket.sendTimeout == .seconds(2))
        #expect(try socket.pendingError == nil)
        #expect(try socket.type == .stream)
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func broadcastRoundTrips(_ family: AddressFamily) throws {
        let socket = try Socket(family, .datagram)
        #expect(try socket.type == .datagram)
        for on in [true, false] {
            try socket.setBroadcast(on)
            #expect(try socket.broadcast == on)
        }
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func tcpLevelRoundTrips(_ family: AddressFamily) throws {
        let socket = try Socket(family, .stream)
        for on in [true, false] {
            try socket.setNoDelay(on)
            #expect(try socket.noDelay == on)
        }
        try socket.setKeepAliveIdle(.seconds(30))
        #expect(try socket.keepAliveIdle == .seconds(30))
        try socket.setKeepAliveInterval(.seconds(5))
        #expect(try socket.keepAliveInterval == .seconds(5))
        try socket.setKeepAliveCount(4)
        #expect(try socket.keepAliveCount == 4)
    }

    @Test func ipLevelRoundTrips() throws {
        let v4 = try Socket(.ipv4, .stream)
        try v4.setTimeToLive(42)
        #expect(try v4.timeToLive == 42)
        let v6 = try Socket(.ipv6, .stream)
        try v6.setUnicastHops(17)
        #expect(try v6.unicastHops == 17)
        for on in [true, false] {
            try v6.setIPv6Only(on)
            #expect(try v6.ipv6Only == on)
        }
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
