@testable import Sockets
import SocketsTesting
import Testing

@Suite struct HappyEyeballsTests {
    @Test func interleavesFamiliesFirstFamilyFirst() throws {
        let v6a = SocketAddress.ipv6(.loopback, port: 1), v6b = SocketAddress.ipv6(.loopback, port: 2)
        let v4a = SocketAddress.ipv4(.loopback, port: 3), v4b = SocketAddress.ipv4(.loopback, port: 4)
        #expect(Socket.interleavedByFamily([v6a, v6b, v4a, v4b]) == [v6a, v4a, v6b, v4b])
        #expect(Socket.interleavedByFamily([v4a, v6a, v6b]) == [v4a, v6a, v6b])
        #expect(Socket.interleavedByFamily([]).isEmpty)
    }

    @Test(arguments: [true, false])
    func aStalledFirstFamilyCostsTheAttemptDelayNotTheTimeout(_ ipv6First: Bool) throws {
        let stalled = try FullBacklogListener(on: ipv6First ? .ipv6(.loopback, port: 0) : .ipv4(.loopback, port: 0))
        let server = try TestServer.silent(on: ipv6First ? .ipv4(.loopback, port: 0) : .ipv6(.loopback, port: 0),
                                           lifetime: .seconds(20))
        try MockingDriver.withMocking { driver in
            var started: [SocketAddress] = []
            let socket = try Socket.connected(
                toAny: [stalled.address, server.address], timeout: .seconds(20),
                strategy: .happyEyeballs(attemptDelay: .milliseconds(200))) { started.append($0) }
            #expect(started == [stalled.address, server.address])
            #expect(try socket.remoteAddress == server.address)
            // The timeout stays on the winner, as Python's create_connection does.
            #expect(socket.timeout == .after(.seconds(20)))
            // The order of events, not the time: the first connect, one poll that waited out the
            // attempt delay with nothing ready, then the second attempt, then the poll that saw it
            // connect; the race never waited for the stalled attempt to time out.
            let calls = driver.trace.filter { ["socket", "connect", "poll"].contains($0) }
            #expect(calls == ["socket", "connect", "poll", "socket", "connect", "poll"])
            #expect(driver.count(of: "connect") == 2)
            try socket.close()
            // Every socket the race opened was closed: the loser by the race, the winner here.
            #expect(driver.count(of: "socket") == driver.count(of: "close"))
        }
    }

    @Test func bothDeadListsBothAddresses() throws {
        let closed6 = try Loopback.closedPort(.ipv6(.loopback, port: 0))
        let closed4 = try Loopback.closedPort(.ipv4(.loopback, port: 0))
        try MockingDriver.withMocking { driver in
            #expect {
                _ = try Socket.connected(toAny: [closed6, closed4], timeout: .seconds(5), strategy: .happyEyeballs)
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .system(.connectionRefused)
                    && Set(error.attempts.map(\.address)) == [closed6, closed4]
                    && error.attempts.allSatisfy { $0.error.kind == .system(.connectionRefused) }
            }
            #expect(driver.count(of: "socket") == 2 && driver.count(of: "close") == 2)
        }
    }

    @Test func bothStalledTimesOutListingBoth() throws {
        let stalled6 = try FullBacklogListener(on: .ipv6(.loopback, port: 0))
        let stalled4 = try FullBacklogListener(on: .ipv4(.loopback, port: 0))
        try MockingDriver.withMocking { driver in
            #expect {
                _ = try Socket.connected(toAny: [stalled6.address, stalled4.address], timeout: .milliseconds(400),
                                       strategy: .happyEyeballs(attemptDelay: .milliseconds(50)))
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .timeout && error.attempts.count == 2
                    && error.attempts.allSatisfy { $0.error.kind == .timeout }
            }
            #expect(driver.count(of: "socket") == driver.count(of: "close"))
        }
    }

    @Test func aFirstWinnerStartsNoSecondAttempt() throws {
        let server = try TestServer.silent(on: .ipv6(.loopback, port: 0), lifetime: .seconds(20))
        let unused = SocketAddress.ipv4(.loopback, port: 9)
        try MockingDriver.withMocking { driver in
            var started: [SocketAddress] = []
            let socket = try Socket.connected(toAny: [server.address, unused], timeout: .seconds(5),
                                            strategy: .happyEyeballs) { started.append($0) }
            #expect(try socket.remoteAddress == server.address)
            #expect(started == [server.address])
            #expect(driver.count(of: "socket") == 1 && driver.count(of: "connect") == 1)
            try socket.close()
        }
    }

    @Test func connectToHostCanRace() throws {
        let server = try TestServer.silent(lifetime: .seconds(20))
        let socket = try Socket.connected(toHost: "localhost", port: server.address.port!, timeout: .seconds(5),
                                        strategy: .happyEyeballs)
        #expect(try socket.remoteAddress.port == server.address.port)
    }
}
