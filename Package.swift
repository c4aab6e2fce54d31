// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Sockets",
    products: [
        .library(name: "Sockets", targets: ["Sockets"]),
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
        .executableTarget(
            name: "sockets-demo",
            dependencies: ["Sockets"]
        ),
        .target(
            name: "MallocCounter",
            path: "Tests/MallocCounter",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "SocketsTests",
            dependencies: ["Sockets", "MallocCounter"]
        ),
    ]
)
