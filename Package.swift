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
        .library(name: "ParleyPluginProtocol", targets: ["ParleyPluginProtocol"]),
        .executable(name: "parley-plugin-github", targets: ["ParleyPluginGitHub"]),
        .executable(name: "parley-plugin-telegram", targets: ["ParleyPluginTelegram"]),
        .executable(name: "parley-plugin-triage", targets: ["ParleyPluginTriage"]),
        .library(name: "ParleyPluginHost", targets: ["ParleyPluginHost"]),
        .executable(name: "parley-plugin-sla-watch", targets: ["ParleyPluginSLAWatch"]),
        .executable(name: "parley-plugin-loop", targets: ["ParleyPluginLoop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
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

        // The views kept current from the log: a stored (time, position) index with its checkpoint,
        // as-of queries, replay and audit.
        .target(
            name: "ParleyProjections",
            dependencies: ["ParleyModel", "ParleyStore", "ParleyLog", "ParleyViews"],
            swiftSettings: strict
        ),

        // The CLI.
        .executableTarget(
            name: "parley",
            dependencies: [
                "ParleyModel", "ParleyLog", "ParleyViews", "ParleyProjections", "ParleyPluginHost",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // The plugin protocol's wire messages, subscription matcher and the runtime Swift plugins use.
        .target(name: "ParleyPluginProtocol", dependencies: ["ParleyModel"], swiftSettings: strict),

        // Parley's plugin executables (not SwiftPM package plugins); see Plugins/README.md.
        .executableTarget(
            name: "ParleyPluginGitHub",
            dependencies: [
                "ParleyModel", "ParleyPluginProtocol",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Plugins/github",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ParleyPluginTelegram",
            dependencies: ["ParleyModel", "ParleyPluginProtocol"],
            path: "Plugins/telegram",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ParleyPluginTriage",
            dependencies: ["ParleyModel", "ParleyPluginProtocol"],
            path: "Plugins/triage",
            swiftSettings: strict
        ),

        // Runs plugin executables for the daemon and `parley plugin run`: handshake, replay, live
        // events, ticks, webhooks, emits, checkpoints, supervision with back-off.
        .target(
            name: "ParleyPluginHost",
            dependencies: [
                "ParleyModel", "ParleyStore", "ParleyLog", "ParleyPluginProtocol",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ParleyPluginSLAWatch",
            dependencies: ["ParleyModel", "ParleyViews", "ParleyPluginProtocol"],
            path: "Plugins/sla-watch",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ParleyPluginLoop",
            dependencies: ["ParleyModel", "ParleyPluginProtocol"],
            path: "Plugins/loop",
            swiftSettings: strict
        ),

        .testTarget(name: "ParleyModelTests", dependencies: ["ParleyModel"], swiftSettings: strict),
        .testTarget(name: "ParleyLogTests", dependencies: ["ParleyLog", "ParleyModel", "ParleyStore"], swiftSettings: strict),
        .testTarget(name: "ParleyViewsTests", dependencies: ["ParleyViews", "ParleyModel"], swiftSettings: strict),
        .testTarget(
            name: "ParleyProjectionsTests",
            dependencies: ["ParleyProjections", "ParleyViews", "ParleyLog", "ParleyModel"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ParleyPluginTests",
            dependencies: [
                "ParleyPluginProtocol", "ParleyModel",
                "ParleyPluginGitHub", "ParleyPluginTelegram", "ParleyPluginTriage",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ParleyPluginHostTests",
            dependencies: [
                "ParleyPluginHost", "ParleyPluginProtocol", "ParleyLog", "ParleyModel", "parley",
                "ParleyPluginGitHub", "ParleyPluginSLAWatch", "ParleyPluginLoop",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
