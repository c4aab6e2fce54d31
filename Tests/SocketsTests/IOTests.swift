import Foundation
import Sockets
import SocketsTesting
import Testing

/// A connected TCP pair over loopback.
func connectedPair(_ loopback: SocketAddress = .ipv4(.loopback, port: 0)) throws -> Pair {
    let listening = try Loopback.listener(loopback)
    let client = try Socket(listening.address.family, .stream)
    try client.connect(to: listening.address, timeout: .seconds(5))
    return Pair(client: client, server: try listening.socket.accept())
}

@Suite struct IOTests {
    @Test(arguments: Loopback.both)
    func exchangesBytes(_ loopback: SocketAddress) throws {
        let pair = try connectedPair(loopback)
        try pair.client.sendAll("hello".utf8)
        #expect(try pair.server.receive(maxCount: 100) == Array("hello".utf8))
        try pair.server.sendAll([1, 2, 3])
        var buffer = [UInt8](repeating: 0, count: 8)
        let count = try buffer.withUnsafeMutableBytes { try pair.client.receive(into: $0) }
        #expect(count == 3 && buffer.prefix(3) == [1, 2, 3])
    }

    @Test func receiveReturnsZeroAtEOF() throws {
        var pair = try connectedPair()
        try pair.client.shutdown(.write)
        #expect(try pair.server.receive(maxCount: 10).isEmpty)
    }

    @Test func sendAllMovesMuchMoreThanTheBuffers() throws {
        var pair = try connectedPair()
        try pair.client.setSendBufferSize(4096)
        let source = TestPattern.bytes(count: 4 << 20, seed: 7)
        let reader = Loopback.onThread(adopting: pair.server.releaseDescriptor()) { socket in
            var received = [UInt8]()
            received.reserveCapacity(source.count)
            var buffer = [UInt8](repeating: 0, count: 65536)
            while received.count < source.count {
                let count = try buffer.withUnsafeMutableBytes { try socket.receive(into: $0) }
                if count == 0 { break }
                received += buffer.prefix(count)
            }
            guard received == source else { throw TestTimeout() }
        }
        try pair.client.sendAll(source)
        try reader.wait()
    }

    @Test func receiveTimesOutOnASilentPeer() throws {
        var pair = try connectedPair()
        try pair.client.setTimeout(.milliseconds(100))
        #expect {
            try pair.client.receive(maxCount: 10)
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .timeout && error.operation == "recv"
                && error.description.contains("timed out")
        }
        // Data that is waiting arrives at once, timeout or not.
        try pair.server.sendAll([9])
        #expect(try pair.client.receive(maxCount: 10) == [9])
    }

    @Test func nonBlockingReceiveSaysWouldBlock() throws {
        var pair = try connectedPair()
        try pair.client.setTimeout(.nonBlocking)
        #expect {
            try pair.client.receive(maxCount: 10)
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .wouldBlock && error.isWouldBlock && !error.isTimeout
        }
        try pair.server.sendAll([1])
        try pair.server.shutdown(.write)
        try pair.client.setTimeout(.seconds(5))
        #expect(try pair.client.receive(maxCount: 10) == [1])
    }

    @Test func zeroLengthBuffersGetAClearResult() throws {
        let pair = try connectedPair()
        #expect {
            try pair.client.receive(into: UnsafeMutableRawBufferPointer(start: nil, count: 0))
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .system(.invalidArgument) && error.description.contains("zero-length")
        }
        #expect(try pair.client.send(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
        #expect(throws: SocketError.self) { try pair.client.receive(maxCount: 0) }
    }

    @Test func sendToAClosedPeerIsBrokenPipeNotASignal() throws {
        let pair = try connectedPair()
        let client = pair.client
        try pair.server.close()
        let chunk = [UInt8](repeating: 1, count: 65536)
        #expect {
            for _ in 0..<64 { try client.sendAll(chunk) }
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .system(.brokenPipe) || error.kind == .system(.connectionReset)
        }
    }

    @Test func timeoutsAreValidated() throws {
        var socket = try Socket(.ipv4, .stream)
        #expect(throws: SocketError.self) { try socket.setTimeout(.after(.seconds(-1))) }
        try socket.setTimeout(.after(.zero))
        #expect(socket.timeout == .nonBlocking)
        try socket.setTimeout(.seconds(1.5))
        #expect(socket.timeout == .after(.milliseconds(1500)))
        try socket.setTimeout(.blocking)
        #expect(socket.timeout == .blocking)
    }

    @Test func adoptsAndReleasesDescriptors() throws {
        let socket = try Socket(.ipv4, .datagram)
        let descriptor = socket.releaseDescriptor()
        let adopted = try Socket(adopting: descriptor)
        #expect(adopted.withUnsafeDescriptor { $0 } == descriptor)
        #expect(try adopted.type == .datagram)
        try adopted.close()
        // Not `descriptor` again: another test's socket may have its number by now, and this
        // adoption would close it. A number above the process's limit is never open.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let neverOpen = Int32(clamping: limit.rlim_cur)
        #expect {
            _ = try Socket(adopting: neverOpen)
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.kind == .system(.badDescriptor)
                && error.description == "adopt descriptor \(neverOpen): descriptor \(neverOpen) is not open"
        }
    }

    @Test func adoptingANonSocketIsAClearError() throws {
        let pipe = Pipe()  // Closed by Foundation when it goes away: kept until the check is done.
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        withExtendedLifetime(pipe) {
            #expect {
                _ = try Socket(adopting: descriptor)
            } throws: { error in
                guard let error = error as? SocketError else { return false }
                return error.kind == .system(.notSocket) && error.reason == "descriptor \(descriptor) is not a socket"
            }
        }
    }

    @Test func unixStreamSocketsWork() throws {
        let path = "/tmp/sockets-test-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlinkPath(path) }
        let listener = try Socket.listening(on: .unix(path: path))
        let client = try Socket(.unix, .stream)
        try client.connect(to: .unix(path: path))
        let server = try listener.accept()
        try client.sendAll([4, 2])
        #expect(try server.receive(maxCount: 4) == [4, 2])
        #expect(try client.remoteAddress == .unix(path: path))
        #expect(throws: SocketError.self) {
            try Socket(.unix, .stream).connect(to: .unix(path: String(repeating: "x", count: 200)))
        }
    }
}

@Suite struct DatagramTests {
    @Test(arguments: Loopback.both)
    func requestAndReply(_ loopback: SocketAddress) throws {
        var server = try Socket(loopback.family, .datagram)
        try server.bind(to: loopback)
        try server.setTimeout(.seconds(5))
        let serverAddress = try server.localAddress
        var client = try Socket(loopback.family, .datagram)
        try client.setTimeout(.seconds(5))
        #expect(try client.send(Array("ping".utf8), to: serverAddress) == 4)
        let (request, sender) = try server.receiveFrom(maxCount: 100)
        #expect(request == Array("ping".utf8))
        #expect(sender?.port == (try client.localAddress.port))
        _ = try server.send(Array("pong".utf8), to: sender!)
        let (reply, from) = try client.receiveFrom(maxCount: 100)
        #expect(reply == Array("pong".utf8) && from == serverAddress)
    }

    @Test func emptyDatagramsAndTruncation() throws {
        var server = try Socket(.ipv4, .datagram)
        try server.bind(to: .ipv4(.loopback, port: 0))
        try server.setTimeout(.seconds(5))
        let address = try server.localAddress
        let client = try Socket(.ipv4, .datagram)
        #expect(try client.send([UInt8](), to: address) == 0)
        #expect(try server.receiveFrom(maxCount: 10).bytes.isEmpty)
        _ = try client.send(TestPattern.bytes(count: 100, seed: 7), to: address)
        var small = [UInt8](repeating: 0, count: 10)
        let result = try small.withUnsafeMutableBytes { try server.receiveFrom(into: $0, flags: .truncate) }
        #expect(result.count == 100 && small == Array(TestPattern.bytes(count: 10, seed: 7)))
    }

    @Test func receiveTimesOutWithNoDatagram() throws {
        var socket = try Socket(.ipv6, .datagram)
        try socket.bind(to: .ipv6(.loopback, port: 0))
        try socket.setTimeout(.milliseconds(50))
        #expect {
            try socket.receiveFrom(maxCount: 10)
        } throws: { error in (error as? SocketError)?.kind == .timeout }
    }
}
