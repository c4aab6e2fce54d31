@testable import Sockets
import Testing

#if DEBUG
@Suite struct MockingTests {
    @Test func interruptedCallsAreRetried() throws {
        var pair = try connectedPair()
        try pair.server.sendAll([7, 8])
        try MockingDriver.withMocking { (driver) throws in
            driver.force(.interrupted, on: "recv", times: 3)
            #expect(try pair.client.receive(maxCount: 10) == [7, 8])
            #expect(driver.trace == ["recv", "recv", "recv", "recv"])
        }
    }

    @Test func interruptedSendAllLosesNothing() throws {
        var pair = try connectedPair()
        try MockingDriver.withMocking { (driver) throws in
            driver.force(.interrupted, on: "send", times: 2)
            try pair.client.sendAll([1, 2, 3])
            #expect(driver.count(of: "send") == 3)
        }
        #expect(try pair.server.receive(maxCount: 10) == [1, 2, 3])
    }

    @Test func closeIsNeverRetried() throws {
        let descriptor = try Socket(.ipv4, .stream).releaseDescriptor()
        try MockingDriver.withMocking { (driver) throws in
            driver.force(.interrupted, on: "close")
            let socket = try Socket(adopting: descriptor)
            do {
                try socket.close()
                Issue.record("close should have failed with the forced EINTR")
            } catch {
                #expect((error as? SocketError)?.kind == .system(.interrupted))
            }
            #expect(driver.trace == ["fcntl", "getsockopt", "close"])
        }
        // The forced failure skipped the real close: close the descriptor for real.
        try Socket(adopting: descriptor).close()
    }

    @Test func wouldBlockWithATimeoutWaitsWithPoll() throws {
        var pair = try connectedPair()
        try pair.client.setTimeout(.seconds(5))
        try pair.server.sendAll([5])
        try MockingDriver.withMocking { (driver) throws in
            driver.force(.wouldBlock, on: "recv")
            #expect(try pair.client.receive(maxCount: 10) == [5])
            #expect(driver.trace == ["recv", "poll", "recv"])
        }
    }

    @Test func readyDataCostsOneSyscallEvenWithATimeout() throws {
        var pair = try connectedPair()
        try pair.client.setTimeout(.seconds(5))
        try pair.server.sendAll([1, 2, 3, 4])
        // Loopback usually delivers inside the send, but a loaded kernel may defer it: wait
        // (at most 5 s) until the bytes are queued, so the receives find them ready.
        let end = ContinuousClock.now + .seconds(5)
        while try pair.client.availableBytes < 4, ContinuousClock.now < end { sleepThread(.milliseconds(1)) }
        try MockingDriver.withMocking { (driver) throws in
            var buffer = [UInt8](repeating: 0, count: 2)
            for _ in 0..<2 {
                _ = try buffer.withUnsafeMutableBytes { try pair.client.receive(into: $0) }
            }
            #expect(driver.trace == ["recv", "recv"])
        }
    }

    @Test(arguments: [Errno.connectionReset, .noMemory, .noBufferSpace])
    func forcedErrnosSurfaceAsSystemErrors(_ errno: Errno) throws {
        let pair = try connectedPair()
        try MockingDriver.withMocking { (driver) throws in
            driver.force(errno, on: "recv")
            #expect {
                try pair.client.receive(maxCount: 10)
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .system(errno) && error.operation == "recv"
            }
        }
    }

    @Test func eaiSystemKeepsItsErrno() {
        MockingDriver.withMocking { driver in
            driver.force(.tooManyOpenFiles, on: "getaddrinfo")
            #expect {
                try Resolver.resolve("localhost", port: 1)
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .resolution(.system) && error.errno == .tooManyOpenFiles
            }
        }
    }

    @Test func connectInterruptedStillCompletes() throws {
        let listening = try Loopback.listener()
        let listener = listening.socket, address = listening.address
        let client = try Socket(.ipv4, .stream)
        try MockingDriver.withMocking { (driver) throws in
            driver.force(.interrupted, on: "connect")
            // The forced EINTR skipped the real connect; the library then waits for an attempt
            // that never started, so the outcome comes from SO_ERROR / getpeername.
            _ = try? client.connect(to: address, timeout: .milliseconds(200))
            #expect(driver.trace.contains("connect"))
            #expect(driver.trace.contains("poll"))
        }
        _ = listener
    }
}
#endif
