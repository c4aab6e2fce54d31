// Lookups never block a reactor: name and service lookups run on the blocking pool, bounded by
// the caller's deadline and ended by its cancellation, while every other socket keeps moving.
// The blocking call in these tests is a real one: a blocking receive from a server that never
// sends, which stands for a name server that never answers.

@testable import AsyncSockets
import Foundation
@testable import Sockets
import SocketsTesting
import Testing

@Suite struct AsyncResolutionTests {
    /// A blocking call that takes `seconds` (a receive from a silent server, under a timeout),
    /// setting `ended` when it returns.
    private func stalledCall(_ server: TestServer, seconds: Int, ended: Shared<Bool>) -> @Sendable () throws(SocketError) -> Int {
        let address = server.address
        return { () throws(SocketError) -> Int in
            defer { ended.value = true }
            var socket = try Socket.connected(to: address)
            try socket.setTimeout(.after(.seconds(seconds)))
            return (try? socket.receive(maxCount: 1).count) ?? -1
        }
    }

    /// Whether `server` still runs, and if not, what stopped it (for failure messages).
    private func state(of server: TestServer) -> String {
        do {
            try server.wait(timeout: .zero)
            return "stopped, having accepted \(server.connectionsAccepted)"
        } catch let error as SocketError where error.operation == "test server" && error.kind == .timeout {
            return "running, having accepted \(server.connectionsAccepted)"
        } catch {
            return "stopped by \(error)"
        }
    }

    // The servers here live 300 s: in a loaded sanitized run the pool's call has started over
    // 30 s late (CI: 142 s for connectingToAHostNameGoesThroughThePool), and a server whose
    // lifetime had ended turned that delay into "Connection refused".
    @Test func aStalledCallEndsAtItsDeadlineWhileOtherSocketsMove() async throws {
        let silent = try TestServer.silent(lifetime: .seconds(300))
        let echo = try TestServer.echo(lifetime: .seconds(300))
        let ended = Shared(false)
        try await onReactor {
            let echoing = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws -> Bool in
                let socket = try await AsyncSocket.connected(to: echo.address, timeout: .seconds(10))
                for round in 0..<20 {
                    try await socket.sendAll([UInt8(round)])
                    guard try await socket.receive(maxCount: 1) == [UInt8(round)] else { return false }
                }
                return !ended.value  // Every round trip done while the stalled call still blocks (30 s).
            }
            let error = await #expect(throws: SocketError.self) {
                _ = try await BlockingPool.run("getaddrinfo", target: "stalled.test", deadline: .after(.milliseconds(200)),
                                               limit: .milliseconds(200), stalledCall(silent, seconds: 30, ended: ended))
            }
            #expect(error?.kind == .timeout && error?.operation == "getaddrinfo",
                    "\(String(describing: error)); the silent server: \(state(of: silent))")
            #expect(!ended.value, "the wait ended only when the blocking call did")
            let moved = try await echoing.value
            #expect(moved, "the other socket stopped while the call blocked")
        }
    }

    /// On a reactor, not Swift's pool: with the pool's two threads held by other tests'
    /// blocking work, the cancelled task's resumption waited its turn past the stalled call's
    /// end (CI, under ASan: 77 s).
    @Test func cancellingTheTaskEndsTheWaitAtOnce() async throws {
        let silent = try TestServer.silent(lifetime: .seconds(300))
        let ended = Shared(false)
        try await onReactor {
            let started = BlockingPool.started.load(ordering: .relaxed)
            let waiting = Task(executorPreference: AsyncSocket.reactorExecutor) { () async throws -> Int in
                try await BlockingPool.run("getaddrinfo", target: "stalled.test", deadline: nil, limit: nil,
                                           stalledCall(silent, seconds: 30, ended: ended))
            }
            #expect(await eventually { BlockingPool.started.load(ordering: .relaxed) > started })
            waiting.cancel()
            let result = await waiting.result
            guard case .failure(let error) = result else {
                Issue.record("a cancelled wait returned \(result)")
                return
            }
            #expect((error as? SocketError)?.kind == .cancelled, "\(error); the silent server: \(state(of: silent))")
            #expect(!ended.value, "the wait ended only when the blocking call did")
        }
    }

    /// A thread the system refuses (EAGAIN at a process or cgroup limit) leaves the job queued
    /// for a later try; it never runs on the thread that submitted it, which may be a reactor's
    /// (it once did, holding that reactor for the whole blocking call).
    @Test func aThreadTheSystemRefusesLeavesTheJobQueuedNotRunHere() async throws {
        _ = AsyncSocket.reactorExecutor  // The reactors run already: their threads are not the ones refused.
        let runner = Shared<pthread_t?>(nil)
        let here = pthread_self()
        MockingDriver.withMocking { driver in
            driver.force(.wouldBlock, on: "pthread_create")
            BlockingPool.submit { runner.value = pthread_self() }
        }
        #expect(await eventually { runner.value != nil }, "the queued job never ran: no second try for a thread")
        #expect(runner.value.map { pthread_equal($0, here) == 0 } == true, "the job ran on the thread that submitted it")
    }

    @Test func namesAndServicesResolveOnThePoolAndNumbersWithoutIt() async throws {
        let before = BlockingPool.started.load(ordering: .relaxed)
        let numeric = try await AsyncResolver.resolve("127.0.0.1", port: 80, type: .stream, timeout: .seconds(5))
        #expect(numeric == [.ipv4(.loopback, port: 80)])
        #expect(try await AsyncResolver.port("8080") == 8080)
        #expect(AsyncResolver.isNumeric("127.0.0.1") && AsyncResolver.isNumeric("::1") && AsyncResolver.isNumeric("[::1]"))
        #expect(!AsyncResolver.isNumeric("localhost") && !AsyncResolver.isNumeric("127.0.0.1.example"))
        let local = try await AsyncResolver.resolve("localhost", port: 8080, type: .stream, timeout: .seconds(5))
        #expect(!local.isEmpty && local.allSatisfy { $0.port == 8080 })
        #expect(try await AsyncResolver.port("http", timeout: .seconds(5)) == 80)
        #expect(BlockingPool.started.load(ordering: .relaxed) >= before + 2)
        let unknown = await #expect(throws: SocketError.self) {
            _ = try await AsyncResolver.port("no-such-service-here", timeout: .seconds(5))
        }
        #expect(unknown.map { "\($0.kind)" }?.contains("resolution") == true, "\(String(describing: unknown))")
        let outOfRange = await #expect(throws: SocketError.self) { _ = try await AsyncResolver.port("70000") }
        #expect(outOfRange != nil)
        let bad = await #expect(throws: SocketError.self) {
            _ = try await AsyncResolver.resolve("bad\u{0}host", port: 1, timeout: .seconds(5))
        }
        #expect(bad != nil)
    }

    @Test func connectingToAHostNameGoesThroughThePool() async throws {
        let echo = try TestServer.echo(lifetime: .seconds(300))
        let before = BlockingPool.started.load(ordering: .relaxed)
        try await onReactor {
            let socket = try await AsyncSocket.connected(toHost: "localhost", port: "\(echo.address.port!)",
                                                         family: .ipv4, timeout: .seconds(10))
            try await socket.sendAll([7])
            #expect(try await socket.receive(maxCount: 1) == [7])
        }
        #expect(BlockingPool.started.load(ordering: .relaxed) > before)
    }
}
