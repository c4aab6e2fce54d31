// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Sockets",
    products: [
        .library(name: "Sockets", targets: ["Sockets"]),
        .library(name: "AsyncSockets", targets: ["AsyncSockets"]),
        .library(name: "SocketsTesting", targets: ["SocketsTesting"]),
        // Benchmark support for the peers package under Benchmarks/; not part of the API.
        .library(name: "BenchReport", targets: ["BenchReport"]),
        .executable(name: "netclient", targets: ["netclient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `make docs`: builds the DocC catalogs; a command plugin, never linked into anything.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // netclient load's latency percentiles; the CLI only, never the libraries.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .target(
            name: "CShims",
            path: "CShims"
        ),
        .target(
            name: "Sockets",
            dependencies: ["CShims"]
        ),
        // What the async runtime needs in C: the concurrency runtime's global executor hook
        // (Swift's calling convention), a thread-local current reactor, the CPU count.
        .target(name: "CAsyncRuntime"),
        // The async layer: a group of epoll (or io_uring) reactors and the async forms of every
        // call that can wait. Depends on Sockets only (and the toolchain's Synchronization module).
        .target(
            name: "AsyncSockets",
            dependencies: ["Sockets", "CAsyncRuntime"]
        ),
        .executableTarget(
            name: "netclient",
            dependencies: [
                "Sockets",
                // `load` runs its connections as tasks over the async layer.
                "AsyncSockets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .target(
            name: "SocketsTesting",
            // CShims for `setns`: the test network moves threads between namespaces.
            dependencies: ["Sockets", "CShims"]
        ),
        // Compiled with -O2 by the release build the benchmark always uses (no unsafe flags, so
        // the package stays usable as a dependency).
        .target(name: "BenchC"),
        .target(name: "BenchReport"),
        .executableTarget(
            name: "sockets-bench",
            dependencies: ["Sockets", "BenchC", "BenchReport"]
        ),
        // The async layer against C epoll loops: many connections and request/response.
        .executableTarget(
            name: "async-bench",
            dependencies: ["AsyncSockets", "Sockets", "BenchC", "BenchReport"]
        ),
        .target(
            name: "CTestSupport",
            path: "Tests/CTestSupport",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "SocketsTests",
            dependencies: ["Sockets", "SocketsTesting", "CTestSupport"]
        ),
        .testTarget(
            name: "AsyncSocketsTests",
            dependencies: ["AsyncSockets", "CAsyncRuntime", "Sockets", "SocketsTesting"]
        ),
        .testTarget(
            name: "LeakTests",
            dependencies: ["AsyncSockets", "Sockets", "SocketsTesting", "CTestSupport"]
        ),
        .testTarget(
            name: "ThroughputTests",
            dependencies: ["Sockets", "SocketsTesting"]
        ),
        .testTarget(
            name: "NetclientTests",
            dependencies: ["netclient", "Sockets", "SocketsTesting"]
        ),
    ]
)
