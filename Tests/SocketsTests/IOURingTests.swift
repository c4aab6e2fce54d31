// The io_uring ring driver on real sockets: the probe, no-ops through the rings, and multishot
// receive into provided buffers over loopback TCP, byte-exact, re-armed after the buffers run
// out (-ENOBUFS). Skipped with one line where io_uring is unavailable (a container's seccomp).

import CShims
import Sockets
import SocketsTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.enabled(if: IOURingSupport.current.isAvailable, Comment(rawValue: IOURingSupport.current.unavailableReason ?? "")))
struct IOURingTests {
    @Test func theProbeFindsWhatTheBackendNeeds() {
        let support = IOURingSupport.current
        #expect(support.hasBufferRings)
        for (opcode, name) in IOURingSupport.requiredOpcodes {
            #expect(support.supportedOpcodes.contains(opcode), "\(name)")
        }
        #expect(support.supportedOpcodes.contains(cshims_IORING_OP_NOP))
        print("io_uring: \(support.supportedOpcodes.count) opcodes supported, features 0x\(String(support.features, radix: 16))")
    }

    @Test func noOperationsComeBackWithTheirUserData() throws {
        let ring = try IOURing(entries: 8)
        #expect(ring.submissionEntries == 8)
        for round in 0..<3 {
            // More than fit at once: fill the ring, submit, then the rest.
            var submitted: [UInt64] = []
            var seen: [UInt64] = []
            for value in 0..<12 {
                let userData = UInt64(round * 100 + value)
                var entry = ring.nextSubmission()
                if entry == nil {
                    try ring.submit(waitingFor: 1)
                    ring.reapCompletions { seen.append($0.userData) }
                    entry = ring.nextSubmission()
                }
                IOURing.prepareNoOperation(try #require(entry), userData: userData)
                submitted.append(userData)
            }
            try ring.submit()
            while seen.count < submitted.count {
                try ring.submit(waitingFor: 1)
                ring.reapCompletions { completion in
                    #expect(completion.result == 0)
                    seen.append(completion.userData)
                }
            }
            #expect(seen.sorted() == submitted)
        }
    }

    @Test func multishotReceiveIntoProvidedBuffersIsByteExactAndRearmsOnENOBUFS() throws {
        let total = 3 << 20
        let server = try TestServer.source(bytes: total, seed: 7, lifetime: .seconds(60))
        let socket = try Socket.connected(to: server.address, timeout: .seconds(10))
        // Let a burst queue up first, so that 8 buffers of 4 KiB run out at once.
        sleepThread(.milliseconds(50))
        let ring = try IOURing(entries: 16)
        let buffers = try ProvidedBuffers(ring: ring, group: 1, count: 8, size: 4096)
        let descriptor = socket.withUnsafeDescriptor { $0 }
        func arm() throws {
            IOURing.prepareMultishotReceive(try #require(ring.nextSubmission()), descriptor: descriptor, group: 1, userData: 42)
            try ring.submit()
        }
        try arm()
        var received = 0
        var matches = true
        var exhausted = 0
        var completionsSeen = 0
        var ended = false
        while !ended {
            try ring.submit(waitingFor: 1)
            var rearm = false
            ring.reapCompletions { completion in
                completionsSeen += 1
                #expect(completion.userData == 42)
                if completion.result > 0, let id = completion.bufferID {
                    let bytes = buffers.bytes(id, length: Int(completion.result))
                    matches = matches && TestPattern.matches(bytes, at: received, seed: 7)
                    received += bytes.count
                    buffers.recycle(id)
                } else if completion.result == 0 {
                    ended = true
                } else if completion.result == -ENOBUFS {
                    exhausted += 1
                } else {
                    Issue.record("receive failed: \(Errno(rawValue: -completion.result))")
                    ended = true
                }
                if !completion.hasMore && !ended { rearm = true }
            }
            if rearm { try arm() }
        }
        #expect(received == total)
        #expect(matches)
        #expect(exhausted >= 1, "the 8 buffers never ran out: ENOBUFS untested")
        try server.wait()
        print("io_uring: \(received) bytes in \(completionsSeen) completions, \(exhausted) re-arms after ENOBUFS")
    }

    @Test func aBadBufferCountIsRefused() throws {
        let ring = try IOURing(entries: 4)
        for count in [0, 3, 65536] {
            #expect(throws: Errno.invalidArgument) { try ProvidedBuffers(ring: ring, group: 2, count: count, size: 4096) }
        }
        #expect(throws: Errno.invalidArgument) { try ProvidedBuffers(ring: ring, group: 2, count: 4, size: 0) }
    }
}
