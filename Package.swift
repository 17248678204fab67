// swift-tools-version:6.0
import PackageDescription

/// Settings every Parley module shares: explicit imports, `any` for existentials.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Parley",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "parley", targets: ["parley"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // The system liblmdb (Debian: liblmdb-dev), seen by ParleyStore alone.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),

        // Domain values shared by every layer: JSON, instants, the event envelope,
        // the vocabulary and the policies. Pure; Foundation only.
        .target(name: "ParleyModel", swiftSettings: strict),

        // LMDB: environment, scoped transactions, cursors, map growth.
        .target(name: "ParleyStore", dependencies: ["CLMDB"], swiftSettings: strict),

        // The append-only event log: encoding, hash chain, single writer with group commit, reads.
        .target(
            name: "ParleyLog",
            dependencies: [
                "ParleyModel", "ParleyStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),

        // Pure reducers for community, support, content and product; calendars. No I/O.
        .target(name: "ParleyViews", dependencies: ["ParleyModel"], swiftSettings: strict),

        // The CLI.
        .executableTarget(
            name: "parley",
            dependencies: [
                "ParleyModel", "ParleyLog", "ParleyViews",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "ParleyModelTests", dependencies: ["ParleyModel"], swiftSettings: strict),
        .testTarget(name: "ParleyLogTests", dependencies: ["ParleyLog", "ParleyModel", "ParleyStore"], swiftSettings: strict),
        .testTarget(name: "ParleyViewsTests", dependencies: ["ParleyViews", "ParleyModel"], swiftSettings: strict),
    ]
)
