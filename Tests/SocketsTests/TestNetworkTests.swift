// Faults across a real link: a client and a server in two network namespaces joined by veth,
// impaired with nftables and tc. Root only: without it each test is skipped with one line.

import Foundation
import Sockets
import SocketsTesting
import Testing

/// Receives everything from `socket`, checking it against the seeded pattern; returns the
/// count and whether every byte matched, or the error that ended it.
private func drain(_ socket: borrowing Socket, seed: UInt8 = 0, limit: Int = 1 << 30)
    -> (count: Int, intact: Bool, error: SocketError?)
{
    var buffer = ReceiveBuffer(capacity: 64 * 1024)
    var count = 0
    var intact = true
    do throws(SocketError) {
        _ = try socket.receiveAll(using: &buffer, limit: limit) { chunk in
            chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: count, seed: seed) }
            count += chunk.byteCount
        }
        return (count, intact, nil)
    } catch {
        return (count, intact, error)
    }
}

@Suite(.serialized, .enabled(if: TestNetwork.unavailableReason == nil,
                             Comment(rawValue: TestNetwork.unavailableReason ?? "")))
struct TestNetworkTests {
    @Test func theNetworkIsIsolatedAndRemovedAfterwards() throws {
        let network = try TestNetwork()
        let names = [network.clientNamespace, network.serverNamespace]
        let server = try network.within(.server) {
            try TestServer.echo(on: network.address(.server, .ipv4), lifetime: .seconds(20))
        }
        let reply = try network.within(.client) { () throws -> [UInt8] in
            let socket = try Socket.connected(to: server.address, timeout: .seconds(5))
            try socket.sendAll([1, 2, 3])
            try socket.shutdown(.write)
            return try socket.receiveAll(maxCount: 10)
        }
        #expect(reply == [1, 2, 3])
        // The client has no route off the link: a public address is unreachable from it.
        let error = try network.within(.client) { () -> SocketError? in
            do throws(SocketError) {
                _ = try Socket.connected(to: .ipv4(IPv4Address(192, 0, 2, 1), port: 9), timeout: .seconds(2))
                return nil
            } catch { return error }
        }
        #expect(error?.kind == .system(.networkUnreachable))
        try server.wait()
        network.close()
        let left = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        #expect(names.allSatisfy { !FileManager.default.fileExists(atPath: "/run/netns/" + $0) && !left.contains($0) })
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func connectToABlackHoleTimesOutAtTheDeadline(_ family: AddressFamily) throws {
        let network = try TestNetwork()
        try network.impair(.blackHole(nil))
        let start = ContinuousClock.now
        let error = try network.within(.client) { () -> SocketError? in
            do throws(SocketError) {
                _ = try Socket.connected(to: network.address(.server, family, port: 80), timeout: .seconds(1))
                return nil
            } catch { return error }
        }
        let elapsed = start.duration(to: .now)
        #expect(error?.kind == .timeout)
        #expect(elapsed >= .milliseconds(990), "the timeout fired before its deadline")
    }

    @Test(arguments: [AddressFamily.ipv6, .ipv4])
    func happyEyeballsGoesAroundAFamilyThatIsBlackHoled(_ dead: AddressFamily) throws {
        let network = try TestNetwork()
        let alive: AddressFamily = dead == .ipv6 ? .ipv4 : .ipv6
        let server = try network.within(.server) {
            try TestServer.echo(on: network.address(.server, alive), lifetime: .seconds(20))
        }
        try network.impair(.blackHole(dead))
        let port = server.address.port!
        let order = [network.address(.server, dead, port: port), network.address(.server, alive, port: port)]
        let peer = try network.within(.client) { () throws -> SocketAddress in
            let socket = try Socket.connected(toAny: order, timeout: .seconds(10),
                                              strategy: .happyEyeballs(attemptDelay: .milliseconds(100)))
            let peer = try socket.remoteAddress
            try socket.sendAll([9])
            try socket.shutdown(.write)
            #expect(try socket.receiveAll(maxCount: 4) == [9])
            return peer
        }
        #expect(peer == order[1])
        try server.wait()
    }

    @Test func bothFamiliesBlackHoledTimeOutNamingBothAddresses() throws {
        let network = try TestNetwork()
        try network.impair(.blackHole(nil))
        let order = [network.address(.server, .ipv6, port: 80), network.address(.server, .ipv4, port: 80)]
        let error = try network.within(.client) { () -> SocketError? in
            do throws(SocketError) {
                _ = try Socket.connected(toAny: order, timeout: .seconds(1), strategy: .happyEyeballs)
                return nil
            } catch { return error }
        }
        #expect(error?.kind == .timeout)
        #expect(error?.attempts.map(\.address) == order)
        #expect(order.allSatisfy { error?.description.contains($0.description) == true }, "\(error.map { "\($0)" } ?? "")")
    }

    @Test func randomLossBothWaysStillDeliversEveryByte() throws {
        let network = try TestNetwork()
        // 16 MiB: over 11,000 segments, some 600 of them lost each way. A second or two alone;
        // the timeouts are for a machine busy with the sanitized suites, where a receiver that
        // is not scheduled drops segments for want of memory and the sender backs off.
        let total = 16 << 20
        let server = try network.within(.server) {
            try TestServer.source(bytes: total, seed: 4, on: network.address(.server, .ipv4), lifetime: .seconds(300))
        }
        try network.impair(.loss(percent: 5))
        let socket = try network.within(.client) { try Socket.connected(to: server.address, timeout: .seconds(120)) }
        let result = drain(socket, seed: 4)
        let counters = { (try? "client: \(network.tcpCounters(.client))server: \(network.tcpCounters(.server))") ?? "" }
        #expect(result.error == nil, "\(result.error.map { "\($0)" } ?? "") after \(result.count) bytes\n\(counters())")
        #expect(result.count == total && result.intact)
        try server.wait(timeout: .seconds(300))
    }

    @Test func aResetMidStreamDeliversEverythingBeforeIt() throws {
        let network = try TestNetwork()
        let server = try network.within(.server) {
            try TestServer.source(bytes: 1 << 30, seed: 2, on: network.address(.server, .ipv4), lifetime: .seconds(300))
        }
        let socket = try network.within(.client) { () throws -> Socket in
            var socket = try Socket.connected(to: server.address, timeout: .seconds(10))
            try socket.setReceiveBufferSize(64 * 1024)
            return socket
        }
        let first = drain(socket, seed: 2, limit: 4 << 20)
        #expect(first.count == 4 << 20 && first.intact && first.error == nil)
        try network.impair(.reset(port: server.address.port!))
        var buffer = ReceiveBuffer(capacity: 64 * 1024)
        var count = first.count
        var intact = true
        let error = #expect(throws: SocketError.self) {
            _ = try socket.receiveAll(using: &buffer) { chunk in
                chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: count, seed: 2) }
                count += chunk.byteCount
            }
        }
        #expect(error?.kind == .system(.connectionReset))
        #expect(intact && count > first.count && count < 1 << 30)
    }

    @Test(arguments: [false, true])
    func icmpUnreachableBecomesTheTypedError(_ host: Bool) throws {
        let network = try TestNetwork()
        try network.impair(.unreachable(port: nil, host: host))
        let expected: Errno = host ? .hostUnreachable : .connectionRefused
        for family in [AddressFamily.ipv4, .ipv6] {
            let tcp = try network.within(.client) { () -> SocketError? in
                do throws(SocketError) {
                    _ = try Socket.connected(to: network.address(.server, family, port: 80), timeout: .seconds(5))
                    return nil
                } catch { return error }
            }
            #expect(tcp?.kind == .system(expected), "TCP over \(family): \(tcp.map { "\($0)" } ?? "connected")")
            // UDP: Linux reports host unreachable (not a "hard" ICMP error) only to a socket
            // with the error queue on; port unreachable always, on a connected socket.
            let (udp, queued) = try network.within(.client) { () throws -> (SocketError?, QueuedError?) in
                var socket = try Socket(family, .datagram)
                try socket.setTimeout(.seconds(5))
                try socket.setReceiveErrors(true)
                try socket.connect(to: network.address(.server, family, port: 53))
                do throws(SocketError) {
                    try socket.sendAll([1])
                    _ = try socket.receive(maxCount: 16)
                    return (nil, try socket.nextQueuedError())
                } catch { return (error, try socket.nextQueuedError()) }
            }
            #expect(udp?.kind == .system(expected), "UDP over \(family): \(udp.map { "\($0)" } ?? "no error")")
            #expect(queued?.errno == expected && queued?.destination?.port == 53)
            #expect(queued?.reason == (host ? "host unreachable" : "port unreachable"))
            #expect(queued?.offender == network.address(.server, family))
        }
    }

    @Test func aSlowLinkKeepsTimeoutsQuietWhileDataFlows() throws {
        let network = try TestNetwork()
        try network.impair(.rateLimit(megabits: 10))
        let total = 3 << 20  // About 2.5 seconds at 10 Mbit/s: longer than the 1-second timeout.
        let source = try network.within(.server) {
            try TestServer.source(bytes: total, seed: 6, on: network.address(.server, .ipv4), lifetime: .seconds(60))
        }
        let start = ContinuousClock.now
        let socket = try network.within(.client) { () throws -> Socket in
            var socket = try Socket.connected(to: source.address, timeout: .seconds(5))
            try socket.setTimeout(.seconds(1))
            return socket
        }
        let result = drain(socket, seed: 6)
        #expect(result.error == nil && result.count == total && result.intact)
        #expect(start.duration(to: .now) > .seconds(1), "the link was not slower than the timeout")
        let sink = try network.within(.server) {
            try TestServer.sink(seed: 1, on: network.address(.server, .ipv6), lifetime: .seconds(60))
        }
        // The send keeps its 5-second timeout: with the kernel's autotuned send buffer (about
        // 1.8 MB here), becoming writable again waits for half of it to drain, which at
        // 10 Mbit/s takes close to a second even while every byte keeps moving.
        try network.within(.client) {
            let socket = try Socket.connected(to: sink.address, timeout: .seconds(5))
            try socket.sendAll(TestPattern.bytes(count: 2 << 20, seed: 1))
            try socket.shutdown(.write)
        }
        try sink.wait(timeout: .seconds(60))
        try source.wait(timeout: .seconds(60))
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func aSmallMTURefusesDontFragmentDatagramsAndTCPAdapts(_ family: AddressFamily) throws {
        let network = try TestNetwork()
        try network.impair(.mtu(1280))
        let (error, mtu) = try network.within(.client) { () throws -> (SocketError?, Int) in
            var socket = try Socket(family, .datagram)
            try socket.setTimeout(.seconds(5))
            try socket.setPathMTUDiscovery(.dontFragment)
            try socket.connect(to: network.address(.server, family, port: 9))
            let mtu = try socket.pathMTU
            do {
                _ = try [UInt8](repeating: 1, count: 1400).withUnsafeBytes { try socket.send(OutgoingDatagram($0)) }
                return (nil, mtu)
            } catch { return (error as? SocketError, mtu) }
        }
        #expect(mtu == 1280)
        #expect(error?.kind == .system(.messageTooLong))
        #expect(error?.description.contains("1280") == true, "\(error.map { "\($0)" } ?? "")")
        let server = try network.within(.server) {
            try TestServer.source(bytes: 4 << 20, seed: 8, on: network.address(.server, family), lifetime: .seconds(60))
        }
        let socket = try network.within(.client) { try Socket.connected(to: server.address, timeout: .seconds(10)) }
        let result = drain(socket, seed: 8)
        #expect(result.error == nil && result.count == 4 << 20 && result.intact)
        try server.wait()
    }
}
