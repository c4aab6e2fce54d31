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
}
