// udp-ping [COUNT] [SIZE] [ROUNDS]: UDP at line rate on loopback, both ends in this process.
// Each round the pinger sends COUNT datagrams of SIZE bytes (40 of 1,200 by default) in ONE
// segmented send (UDP_SEGMENT); the responder reads them with coalesced receives (UDP_GRO),
// prints what each receive's metadata says (how many datagrams, their size, the address they
// were sent to, the interface, the ECN bits, the kernel's timestamp) and sends them all back in
// one segmented send; the pinger checks every datagram came back and prints the round trip.
// Exit 0 when every datagram came back in every round, 1 otherwise, 64 for bad arguments.
//
//     swift run udp-ping 64 1000 5

import Sockets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints `message` on standard error and exits with `code`.
func fail(_ code: Int32, _ message: String) -> Never {
    var line = "udp-ping: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(code)
}

let arguments = CommandLine.arguments.dropFirst().map { Int($0) }
guard arguments.count <= 3, !arguments.contains(nil) else {
    fail(64, "usage: udp-ping [COUNT] [SIZE] [ROUNDS]  (whole numbers)")
}
let count = arguments.count > 0 ? arguments[0]! : 40
let size = arguments.count > 1 ? arguments[1]! : 1200
let rounds = arguments.count > 2 ? arguments[2]! : 3
guard (1...OutgoingDatagram.maxSegments).contains(count) else {
    fail(64, "COUNT must be 1 to \(OutgoingDatagram.maxSegments) (the most one segmented send carries), not \(count)")
}
guard size >= 4, count * size <= OutgoingDatagram.maxDatagramSize else {
    fail(64, "SIZE must be at least 4 and COUNT x SIZE at most \(OutgoingDatagram.maxDatagramSize) bytes, not \(count) x \(size)")
}
guard rounds >= 1 else { fail(64, "ROUNDS must be at least 1, not \(rounds)") }

/// A UDP socket on 127.0.0.1 (any free port) that reads coalesced datagrams with their
/// metadata, and gives up on a receive after 2 s.
func endpoint() throws(SocketError) -> Socket {
    var socket = try Socket(.ipv4, .datagram)
    try socket.bind(to: .ipv4(.loopback, port: 0))
    try socket.setReceiveCoalescing(true)   // UDP_GRO: many datagrams per receive
    try socket.setReceivePacketInfo(true)   // the address they were sent to, the interface
    try socket.setReceiveECN(true)          // the ECN bits they arrived with
    try socket.setReceiveTimestamps(true)   // when the kernel got them
    try socket.setTimeout(.seconds(2))
    return socket
}

/// Receives until `expected` datagrams have arrived; calls `report` with each receive's
/// metadata and returns the bytes, datagram by datagram, and who sent them.
func receive(
    _ expected: Int, on socket: borrowing Socket, into buffer: UnsafeMutableRawBufferPointer,
    report: (ReceivedDatagram) -> Void
) throws(SocketError) -> (datagrams: [[UInt8]], sender: SocketAddress?, receives: Int) {
    var datagrams: [[UInt8]] = []
    var sender: SocketAddress?
    var receives = 0
    while datagrams.count < expected {
        let received = try socket.receiveMessage(into: buffer)
        receives += 1
        sender = received.sender
        report(received)
        for range in received.segments {  // each datagram, cut out of the one buffer
            datagrams.append(Array(UnsafeRawBufferPointer(rebasing: buffer[range])))
        }
    }
    return (datagrams, sender, receives)
}

/// Runs the rounds; returns how many datagrams were missing or damaged.
func ping() throws(SocketError) -> Int {
    let pinger = try endpoint(), responder = try endpoint()
    let responderAddress = try responder.localAddress
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 64)
    defer { buffer.deallocate() }
    print("udp-ping: \(count) datagrams of \(size) bytes, \(try pinger.localAddress) -> \(responderAddress), \(rounds) round(s)")

    var lost = 0
    for round in 1...rounds {
        // COUNT datagrams in one buffer, each starting with its number.
        var bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: round), count: count * size)
        for index in 0..<count {
            withUnsafeBytes(of: UInt32(index).bigEndian) { bytes.replaceSubrange(index * size..<index * size + 4, with: $0) }
        }
        let start = ContinuousClock.now
        // (Array's withUnsafeBytes is untyped: the Result keeps the error a SocketError.)
        _ = try bytes.withUnsafeBytes { raw in
            Result { () throws(SocketError) in
                try pinger.send(OutgoingDatagram(raw, to: responderAddress, segmentSize: size, ecn: .capable0))
            }
        }.get()

        let request = try receive(count, on: responder, into: buffer) { received in
            print("  round \(round): responder: \(received.segments.count) datagram(s) of \(received.segmentSize ?? received.count) bytes"
                  + " in one receive, sent to \(received.destination.map { "\($0)" } ?? "?")"
                  + " on interface \(received.interfaceIndex.map { "\($0)" } ?? "?")"
                  + ", ECN \(received.ecn.map { "\($0)" } ?? "?")"
                  + ", kernel timestamp \(received.timestamp.map { "\($0)" } ?? "none")")
        }
        guard let back = request.sender else { fail(1, "a datagram with no sender address") }
        let echoed = request.datagrams.flatMap { $0 }
        _ = try echoed.withUnsafeBytes { raw in
            Result { () throws(SocketError) in try responder.send(OutgoingDatagram(raw, to: back, segmentSize: size)) }
        }.get()

        let reply = try receive(request.datagrams.count, on: pinger, into: buffer) { _ in }
        let elapsed = ContinuousClock.now - start
        let numbers = Set(reply.datagrams.map { datagram in
            datagram.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        })
        let intact = reply.datagrams.allSatisfy { $0.count == size && $0.dropFirst(4).allSatisfy { $0 == UInt8(truncatingIfNeeded: round) } }
        let missing = count - numbers.intersection(0..<UInt32(count)).count
        lost += missing + (intact ? 0 : 1)
        print("  round \(round): \(count - missing) of \(count) back in \(reply.receives) receive(s)"
              + "\(intact ? "" : ", some damaged"), round trip \(elapsed), send path \(pinger.datagramSendPath)")
    }
    return lost
}

do {
    let lost = try ping()
    print(lost == 0 ? "every datagram came back in every round" : "\(lost) datagram(s) missing or damaged")
    exit(lost == 0 ? 0 : 1)
} catch {
    // A receive that waited 2 s is a timeout: on loopback, datagrams lost.
    fail(1, "\(error)")
}
