// One busy socket cannot hold the reactor's thread: a receive loop whose data never runs out
// yields the thread after `Reactor.operationBudget` receives, so other tasks on it still run.

@testable import AsyncSockets
import Sockets
import SocketsTesting
import Testing

@Suite struct FairnessTests {
    @Test func aReceiveLoopWhoseDataNeverRunsOutLetsOtherTasksRun() async throws {
        try await onReactor {
            let total = 64 * 1024
            let server = try TestServer.source(bytes: total, seed: 9, lifetime: .seconds(60))
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(30))
            // Every byte (and the end of stream) is queued before the loop starts, so none of
            // its 16,384 receives would ever have to wait.
            let queued = { () -> Int in
                (try? socket.withSocket { (socket) throws(SocketError) in try socket.availableBytes }) ?? 0
            }
            #expect(await eventually { queued() == total })
            try server.wait(timeout: .seconds(30))
            let received = Shared(0)
            let otherRanAt = Shared(-1)
            let looping = Shared(false)
            let other = Task(executorPreference: AsyncSocket.reactorExecutor) {
                _ = await eventually { looping.value }
                otherRanAt.value = received.value
            }
            var buffer = ReceiveBuffer(capacity: 4)
            looping.value = true
            var intact = true
            let count = try await socket.receiveAll(using: &buffer) { chunk in
                chunk.withUnsafeBytes { intact = intact && TestPattern.matches($0, at: received.value, seed: 9) }
                received.value += chunk.byteCount
            }
            await other.value
            #expect(count == total && intact)
            #expect(otherRanAt.value >= 0 && otherRanAt.value < total,
                    "the other task on the reactor ran only after the loop had received \(otherRanAt.value) of \(total) bytes")
        }
    }
}
