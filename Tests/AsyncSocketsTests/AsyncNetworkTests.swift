// The async layer across a real link (TestNetwork): sockets made in the client's namespace,
// then driven by the reactor. Root only: skipped with one line otherwise.

import AsyncSockets
import Foundation
import Sockets
import SocketsTesting
import Testing

@Suite(.serialized, .enabled(if: TestNetwork.unavailableReason == nil,
                             Comment(rawValue: TestNetwork.unavailableReason ?? "")))
struct AsyncNetworkTests {
    /// An async socket of `family` born in the network's client namespace.
    private func clientSocket(_ network: TestNetwork, _ family: AddressFamily) throws -> AsyncSocket {
        let socket = try network.within(.client) { try Socket(family, .stream) }
        return try AsyncSocket(socket)
    }

    /// Runs `body` on the reactor's executor when `onReactor` (where io_uring submits from the
    /// reactor's own thread), on the default executor otherwise.
    private func running(onReactor: Bool, _ body: () async throws -> Void) async throws {
        if onReactor {
            try await withTaskExecutorPreference(AsyncSocket.reactorExecutor) { try await body() }
        } else {
            try await body()
        }
    }

    @Test(arguments: [false, true])
    func connectToABlackHoleTimesOutAtTheDeadline(onReactor: Bool) async throws {
        let network = try TestNetwork()
        try network.impair(.blackHole(nil))
        let socket = try clientSocket(network, .ipv4)
        let start = ContinuousClock.now
        let error = await #expect(throws: SocketError.self) {
            try await running(onReactor: onReactor) {
                try await socket.connect(to: network.address(.server, .ipv4, port: 80), timeout: .seconds(1))
            }
        }
        #expect(error?.kind == .timeout)
        #expect(start.duration(to: .now) >= .milliseconds(990), "the timeout fired before its deadline")
    }

    @Test(arguments: [false, true], [false, true])
    func icmpUnreachableBecomesTheTypedError(_ host: Bool, onReactor: Bool) async throws {
        let network = try TestNetwork()
        try network.impair(.unreachable(port: nil, host: host))
        let socket = try clientSocket(network, .ipv6)
        let error = await #expect(throws: SocketError.self) {
            try await running(onReactor: onReactor) {
                // An ICMP error that arrives while connect still holds the socket's lock is only
                // a soft error to TCP; the hard one may come with a retransmitted SYN (1, 3, 7 s on).
                try await socket.connect(to: network.address(.server, .ipv6, port: 80), timeout: .seconds(20))
            }
        }
        #expect(error?.kind == .system(host ? .hostUnreachable : .connectionRefused))
    }

    @Test func lossAndThenAResetMidStream() async throws {
        let network = try TestNetwork()
        let total = 16 << 20
        let server = try network.within(.server) {
            try TestServer.source(bytes: total, seed: 3, on: network.address(.server, .ipv4), lifetime: .seconds(120))
        }
        try network.impair(.loss(percent: 5))
        let socket = try clientSocket(network, .ipv4)
        try await socket.connect(to: server.address, timeout: .seconds(30))
        var buffer = ReceiveBuffer(capacity: 64 * 1024)
        var count = 0
        var intact = true
        let received = try await socket.receiveAll(using: &buffer) { chunk in
            chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: count, seed: 3) }
            count += chunk.byteCount
        }
        #expect(received == total && count == total && intact)
        try server.wait(timeout: .seconds(120))

        try network.heal()
        let endless = try network.within(.server) {
            try TestServer.source(bytes: 1 << 30, seed: 5, on: network.address(.server, .ipv4), lifetime: .seconds(300))
        }
        let second = try clientSocket(network, .ipv4)
        try await second.connect(to: endless.address, timeout: .seconds(10))
        count = 0
        _ = try await second.receiveAll(using: &buffer, limit: 2 << 20) { chunk in
            chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: count, seed: 5) }
            count += chunk.byteCount
        }
        try network.impair(.reset(port: endless.address.port!))
        let error = await #expect(throws: SocketError.self) {
            _ = try await second.receiveAll(using: &buffer) { chunk in
                chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: count, seed: 5) }
                count += chunk.byteCount
            }
        }
        #expect(error?.kind == .system(.connectionReset))
        #expect(intact && count >= 2 << 20 && count < 1 << 30)
    }
}
