// swift-tools-version: 6.2
// Runnable examples of the Sockets library, the way a user's own program would use it: a
// separate package (like Benchmarks/) so that users of the library never build it.
//
//   http-get     the blocking API: connect by host and port name, send a GET, stream the reply
//   echo-server  the async API on the installed runtime: a task per connection, stops on SIGINT
//   udp-ping     UDP at line rate: a segmented send, a coalesced receive, each datagram's metadata
//   IntegrationTests  a Swift Testing suite on SocketsTesting's misbehaving servers and test network
//
// `make examples` builds them and runs ExamplesTests, which runs each program against loopback.
import PackageDescription

/// What both test targets use: the library and its test peers.
let testSupport: [Target.Dependency] = [
    .product(name: "Sockets", package: "Sockets"),
    .product(name: "SocketsTesting", package: "Sockets"),
]

let package = Package(
    name: "SocketsExamples",
    dependencies: [
        .package(name: "Sockets", path: ".."),
    ],
    targets: [
        .executableTarget(name: "http-get", dependencies: [.product(name: "Sockets", package: "Sockets")]),
        .executableTarget(name: "echo-server", dependencies: [.product(name: "AsyncSockets", package: "Sockets")]),
        .executableTarget(name: "udp-ping", dependencies: [.product(name: "Sockets", package: "Sockets")]),
        .testTarget(name: "IntegrationTests", dependencies: testSupport),
        .testTarget(name: "ExamplesTests", dependencies: testSupport),
    ]
)
