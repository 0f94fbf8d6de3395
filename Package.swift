// swift-tools-version:6.0
import PackageDescription

// Debian's libclang-19-dev and llvm-19-dev: headers live under /usr/lib/llvm-19/include,
// which only the clang importer of each client target can be told about.
let llvmInclude: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I/usr/lib/llvm-19/include"])]

let package = Package(
    name: "graft",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "graft", targets: ["graft"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CClang", path: "Sources/CClang", providers: [.apt(["libclang-19-dev"])]),
        .systemLibrary(name: "CLLVM", path: "Sources/CLLVM", providers: [.apt(["llvm-19-dev"])]),
        // OpenSSL's libcrypto: Ed25519 signatures on patches, made by the CLI and checked by the runtime.
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "IR"),
        .target(name: "Frontend", dependencies: ["IR", "CClang"], swiftSettings: llvmInclude),
        .target(name: "Checker", dependencies: ["IR"]),
        .target(name: "Instrument", dependencies: ["IR", "Checker"]),
        .target(name: "Codegen", dependencies: ["IR", "Checker", "Instrument"]),
        .target(name: "Runtime", path: "Sources/Runtime"),
        .executableTarget(
            name: "graft",
            dependencies: [
                "IR", "Frontend", "Checker", "Instrument", "Codegen", "CCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: llvmInclude),
        .testTarget(
            name: "GraftTests",
            dependencies: ["IR", "Frontend", "Checker", "Instrument", "Codegen",
                           .product(name: "PropertyBased", package: "swift-property-based")],
            exclude: ["Fixtures"],
            swiftSettings: llvmInclude),
    ]
)
