// swift-tools-version: 6.2
// libFuzzer targets: every product here is a fuzzer, built with
// `-sanitize=fuzzer,address -parse-as-library` (`make fuzz` does it), whose
// LLVMFuzzerTestOneInput checks a property, not only "no crash". A separate package so that
// `swift build` of the library never builds them. Seed corpora: Tests/Fuzz/<target>/.
import PackageDescription

let package = Package(
    name: "SocketsFuzz",
    dependencies: [
        .package(name: "Sockets", path: ".."),
    ],
    targets: [
        // The hand-over to libFuzzer's driver, shared by every target.
        .target(name: "FuzzDriver"),
        // SocketAddress, IPv4Address, IPv6Address (with scope): parse, format, parse again.
        .executableTarget(name: "FuzzAddresses", dependencies: ["FuzzDriver", .product(name: "Sockets", package: "Sockets")]),
        // Service.port: numbers, names, NUL bytes.
        .executableTarget(name: "FuzzPorts", dependencies: ["FuzzDriver", .product(name: "Sockets", package: "Sockets")]),
        // DatagramSegments: the GRO segment splitter against its definition.
        .executableTarget(name: "FuzzSegments", dependencies: ["FuzzDriver", .product(name: "Sockets", package: "Sockets")]),
        // netclient's header/body splitter (its source file, linked in) against a naive split.
        .executableTarget(name: "FuzzHTTP", dependencies: ["FuzzDriver"]),
    ]
)
