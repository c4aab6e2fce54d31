// The async runtime: a group of reactors, installed as Swift's global executor or not. The suite
// runs in every pass of `make test`: on the default executor (where installing from a test's
// task is too late) and with SOCKETS_RUNTIME=installed (where the runtime installed itself as
// the group started, and a second install is refused).

@testable import AsyncSockets
import CAsyncRuntime
import Sockets
import SocketsTesting
import Testing

@Suite struct RuntimeTests {
    @Test func installingFromATaskIsRefusedWithAReason() async throws {
        _ = AsyncSocket.reactorExecutor  // The group starts (and installs itself if asked to).
        let wasInstalled = AsyncRuntime.isInstalled
        let error = #expect(throws: AsyncRuntimeError.self) { try AsyncRuntime.install() }
        if wasInstalled {
            #expect(error?.kind == .alreadyInstalled, "\(String(describing: error))")
        } else {
            #expect(error?.kind == .tooLate, "\(String(describing: error))")
            #expect(!AsyncRuntime.isInstalled)
        }
        #expect(error?.description.isEmpty == false)
    }

    @Test func startingAgainWithAnotherCountOrABadOneIsRefused() throws {
        let running = AsyncRuntime.reactorCount
        #expect(running == ReactorGroup.shared.reactors.count && running >= 1)
        #expect(throws: Never.self) { try AsyncRuntime.start() }
        #expect(throws: Never.self) { try AsyncRuntime.start(reactors: running) }
        let again = #expect(throws: AsyncRuntimeError.self) { try AsyncRuntime.start(reactors: running + 1) }
        #expect(again?.kind == .alreadyStarted)
        for bad in [0, -1, 1025] {
            let error = #expect(throws: AsyncRuntimeError.self) { try AsyncRuntime.start(reactors: bad) }
            #expect(error?.kind == .invalidCount, "\(bad): \(String(describing: error))")
        }
    }

    @Test func theGroupHasTheReactorsItWasAskedFor() {
        let group = ReactorGroup.shared
        #expect(group.reactors.count == ReactorGroup.defaultCount)
        #expect(ReactorGroup.defaultCount >= 1 && ReactorGroup.defaultCount <= Int(casync_available_cpus()) + 1024)
        // Sockets made off the reactors go round them in turn.
        let picks = (0..<(2 * group.reactors.count)).map { _ in ObjectIdentifier(group.next()) }
        #expect(Set(picks).count == group.reactors.count)
    }

    /// Installed, a plain task runs on a reactor's thread, and a socket it makes belongs to that
    /// reactor, so its wake-ups need no hop; not installed, a plain task runs on Swift's pool.
    @Test func plainTasksRunOnTheReactorsOnlyWhenInstalled() async throws {
        _ = AsyncSocket.reactorExecutor
        let installed = AsyncRuntime.isInstalled
        let onReactor = await Task.detached { Reactor.current != nil }.value
        #expect(onReactor == installed, "installed: \(installed), a detached task on a reactor: \(onReactor)")
        let server = try TestServer.echo(lifetime: .seconds(30))
        let (sameReactor, echoed) = try await Task.detached { () async throws -> (Bool, [UInt8]) in
            let socket = try await AsyncSocket.connected(to: server.address, timeout: .seconds(10))
            try await socket.sendAll(Array("ping".utf8))
            let reply = try await socket.receive(maxCount: 4)
            // After the wait, the task goes on where its socket's reactor resumed it.
            return (Reactor.current === socket.registration.reactor, reply)
        }.value
        #expect(echoed == Array("ping".utf8))
        #expect(sameReactor == installed)
    }

    @Test(.timeLimit(.minutes(1)))
    func aSleepNeverWakesBeforeItsDeadline() async throws {
        let late = await Task(executorPreference: AsyncRuntime.executors[0]) { () -> [Duration] in
            var late: [Duration] = []
            for step in 1...20 {
                let due = ContinuousClock.now + .microseconds(137 * step)
                try? await AsyncRuntime.sleep(until: due)
                late.append(due.duration(to: .now))
            }
            return late
        }.value
        #expect(late.allSatisfy { $0 >= .zero }, "woke before its deadline: \(late.filter { $0 < .zero })")
    }

    /// The deadline sits in the heap of the reactor the task runs on (`Task.sleep` would leave it
    /// to the default runtime's timer), and a cancellation then ends the sleep at once.
    @Test(.timeLimit(.minutes(1)))
    func aSleepIsKeptByItsReactorAndACancellationEndsIt() async throws {
        let last = AsyncRuntime.executors.count - 1
        let asked = Duration.seconds(7_777)  // No other timer of the suites lasts this long.
        let earliest = Deadline.after(asked)
        let sleeper = await startSleeping(on: last, for: asked)
        let kept = await heapHolds(in: [ReactorGroup.shared.reactors[last]]) {
            $0 >= earliest && $0.nanoseconds - earliest.nanoseconds < 30_000_000_000
        }
        #expect(kept, "no deadline about \(asked) ahead in the heap of the reactor the task runs on")
        sleeper.cancel()
        let error = await sleeper.value
        #expect(error is CancellationError, "\(error.map { "\($0)" } ?? "returned without an error")")
    }

    @Test(.timeLimit(.minutes(1)))
    func aSleepInACancelledTaskThrowsWithoutWaiting() async throws {
        let cancelled = Task { () async -> Error? in
            withUnsafeCurrentTask { $0?.cancel() }
            do { try await AsyncRuntime.sleep(for: .seconds(7_777)); return nil } catch { return error }
        }
        #expect(await cancelled.value is CancellationError)
    }

    /// A duration past the clock's range waits for ever (the last moment the clock has), rather
    /// than wrapping into the past and returning, or trapping in the reactor's arithmetic.
    @Test(.timeLimit(.minutes(1)))
    func aSleepPastTheClocksRangeWaitsUntilCancelled() async throws {
        let sleeper = await startSleeping(on: 0, for: .seconds(Int64.max))
        let kept = await heapHolds(in: ReactorGroup.shared.reactors) { $0.nanoseconds == .max }
        #expect(kept, "the sleep's deadline should be the clock's last moment")
        try await Task.sleep(for: .milliseconds(50))  // The reactor plans its wait with it.
        sleeper.cancel()
        let error = await sleeper.value
        #expect(error is CancellationError, "\(error.map { "\($0)" } ?? "returned without an error")")
    }

    /// A task on reactor `index` that sleeps for `duration` and returns what the sleep threw,
    /// once it has begun to run: a reactor busy with other suites' work may take seconds to
    /// start it.
    private func startSleeping(on index: Int, for duration: Duration) async -> Task<Error?, Never> {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let sleeper = Task(executorPreference: AsyncRuntime.executors[index]) { () async -> Error? in
            signal.yield()
            do { try await AsyncRuntime.sleep(for: duration); return nil } catch { return error }
        }
        for await _ in started { break }
        return sleeper
    }

    /// Whether one of `reactors` holds a deadline that `matches` in its timer heap, looking for
    /// up to 10 s (the sleep schedules it in the job that signalled its start).
    private func heapHolds(in reactors: [Reactor], _ matches: (Deadline) -> Bool) async -> Bool {
        for _ in 0..<2_000 {
            if reactors.contains(where: { $0.pendingDeadlines.contains(where: matches) }) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
