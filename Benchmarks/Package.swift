// swift-tools-version: 6.2
// Peer comparisons: for the recv loop, SwiftNIO, Foundation, Python and iperf3 against the
// Sockets library and a plain C loop, on the same source; for the async layer, SwiftNIO,
// NIOAsyncChannel and FlyingSocks against AsyncSockets and C epoll loops. A separate package so that users of
// the library never build SwiftNIO. async-peers also runs the Go and tokio clients in go/ and tokio/
// (their own builds, `make async-peers-clients`, not targets here).
import PackageDescription

let package = Package(
    name: "SocketsPeerBenchmarks",
    dependencies: [
        .package(name: "Sockets", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // The async layer's peers: SwiftNIO (a ChannelHandler on one event loop, and
        // NIOAsyncChannel) and FlyingSocks, on async-bench's C source and echo server.
        .executableTarget(
            name: "async-peers",
            dependencies: [
                .product(name: "BenchReport", package: "Sockets"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        .executableTarget(
            name: "peers-bench",
            dependencies: [
                .product(name: "Sockets", package: "Sockets"),
                .product(name: "BenchReport", package: "Sockets"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
