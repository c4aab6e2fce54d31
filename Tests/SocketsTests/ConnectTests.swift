import Sockets
import SocketsTesting
import Testing

@Suite struct ConnectTests {
    @Test(arguments: Loopback.both)
    func connectsAndReportsBothAddresses(_ loopback: SocketAddress) throws {
        let listening = try Loopback.listener(loopback)
        let listener = listening.socket, address = listening.address
        let client = try Socket(address.family, .stream)
        try client.connect(to: address, timeout: .seconds(5))
        let server = try listener.accept()
        #expect(try client.remoteAddress == address)
        #expect(try server.localAddress == address)
        #expect(try server.remoteAddress == client.localAddress)
        #expect(try client.localAddress.isLoopback)
    }

    @Test(arguments: Loopback.both)
    func closedPortIsRefused(_ loopback: SocketAddress) throws {
        let address = try Loopback.closedPort(loopback)
        let client = try Socket(address.family, .stream)
        #expect {
            try client.connect(to: address)
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .system(.connectionRefused) && error.operation == "connect"
                && error.target == address.description
                && error.description == "connect \(address): Connection refused"
        }
        let withTimeout = try Socket(address.family, .stream)
        #expect(throws: SocketError.self) { try withTimeout.connect(to: address, timeout: .seconds(5)) }
    }

    @Test func fullBacklogTimesOut() throws {
        let backlog = try FullBacklogListener()
        let client = try Socket(.ipv4, .stream)
        #expect {
            try client.connect(to: backlog.address, timeout: .milliseconds(200))
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .timeout && error.operation == "connect"
                && error.target == backlog.address.description
        }
        #expect(client.timeout == .blocking)
    }

    @Test func socketTimeoutAppliesToConnect() throws {
        let backlog = try FullBacklogListener()
        var client = try Socket(.ipv4, .stream)
        try client.setTimeout(.milliseconds(100))
        #expect(throws: SocketError.self) { try client.connect(to: backlog.address) }
    }

    @Test func nonBlockingConnectSaysWouldBlockOrConnects() throws {
        let backlog = try FullBacklogListener()
        var client = try Socket(.ipv4, .stream)
        try client.setTimeout(.nonBlocking)
        #expect {
            try client.connect(to: backlog.address)
        } throws: { error in
            (error as? SocketError)?.kind == .wouldBlock
        }
    }

    @Test func connectsToAHostByServiceName() throws {
        // A listener on a port that has a name in /etc/services would need privileges; so
        // resolve the name, then connect by number through the same path.
        let listening = try Loopback.listener()
        let listener = listening.socket, address = listening.address
        let socket = try Socket.connected(toHost: "localhost", port: "\(address.port!)", timeout: .seconds(5))
        _ = try listener.accept()
        #expect(try socket.remoteAddress.port == address.port)
    }

    @Test func connectToHostListsEveryAttempt() throws {
        let closed4 = try Loopback.closedPort(.ipv4(.loopback, port: 0))
        let closed6 = try Loopback.closedPort(.ipv6(.loopback, port: 0))
        #expect {
            _ = try Socket.connected(toAny: [closed6, closed4], timeout: .seconds(5), target: "test")
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.attempts.map(\.address) == [closed6, closed4]
                && error.attempts.allSatisfy { $0.error.kind == .system(.connectionRefused) }
                && error.kind == .system(.connectionRefused)
                && error.description.contains(closed4.description)
                && error.description.contains(closed6.description)
        }
    }

    @Test func connectToAnySkipsDeadAddresses() throws {
        let closed = try Loopback.closedPort()
        let listening = try Loopback.listener(.ipv6(.loopback, port: 0))
        let listener = listening.socket, address = listening.address
        let socket = try Socket.connected(toAny: [closed, address], timeout: .seconds(5))
        _ = try listener.accept()
        #expect(try socket.remoteAddress == address)
    }

    @Test func oneDeadlineCoversEveryAddress() throws {
        let backlog = try FullBacklogListener()
        #expect {
            _ = try Socket.connected(toAny: [backlog.address, backlog.address], timeout: .milliseconds(200))
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            // The first attempt uses the whole deadline; the second is not tried.
            return error.kind == .timeout && error.attempts.count == 2
                && error.attempts[1].error.detail == "not tried: no time left"
        }
    }

    @Test func badPortAndHostFailBeforeConnecting() {
        #expect {
            _ = try Socket.connected(toHost: "localhost", port: "nosuchservice")
        } throws: { error in (error as? SocketError)?.kind == .resolution(.service) }
        #expect {
            _ = try Socket.connected(toHost: "nosuchhost.invalid", port: "80")
        } throws: { error in
            guard let error = error as? SocketError, error.kind.isResolution else { return false }
            return error.operation == "getaddrinfo"
        }
    }
}
