// swift-tools-version: 6.2
// Peer comparisons for the recv loop: SwiftNIO, Foundation, Python and iperf3 against the
// Sockets library and a plain C loop, on the same source. A separate package so that users of
// the library never build SwiftNIO.
import PackageDescription

let package = Package(
    name: "SocketsPeerBenchmarks",
    dependencies: [
        .package(name: "Sockets", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
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
