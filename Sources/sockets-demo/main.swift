// A small loopback demo: a server and a client in one process exchange a few bytes and print
// their addresses. Sends traffic only to 127.0.0.1 and ::1.

import Sockets

func demo(_ loopback: SocketAddress) throws {
    let listener = try Socket.listening(on: loopback)
    let address = try listener.localAddress
    let client = try Socket.connect(toHost: address.host, port: address.port!, timeout: .seconds(5))
    var server = try listener.accept()
    try server.setTimeout(.seconds(5))
    print("client \(try client.localAddress) -> server \(try client.remoteAddress)")
    try client.sendAll(Array("ping over \(loopback.family)".utf8))
    let request = try server.receive(maxCount: 100)
    try server.sendAll(Array("pong: ".utf8) + request)
    try server.shutdown(.write)
    let reply = try client.receive(maxCount: 200)
    print("reply: \(String(decoding: reply, as: UTF8.self))")
}

do {
    try demo(.ipv4(.loopback, port: 0))
    try demo(.ipv6(.loopback, port: 0))
} catch {
    print("sockets-demo: \(error)")
}
