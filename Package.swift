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
        .executable(name: "parleyd", targets: ["parleyd"]),
        .library(name: "ParleyPluginHost", targets: ["ParleyPluginHost"]),
        .executable(name: "parley-plugin-sla-watch", targets: ["ParleyPluginSLAWatch"]),
        .executable(name: "parley-plugin-loop", targets: ["ParleyPluginLoop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // parleyd: the HTTP server, its services, logs and metrics, its YAML configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // The daemon's tests talk to a real server over loopback.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        // The system liblmdb (Debian: liblmdb-dev), seen by ParleyStore alone.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        // The system jemalloc (Debian: libjemalloc-dev), parleyd's allocator: under batch ingest
        // the daemon spends a tenth of its time in glibc's malloc and free.
        .systemLibrary(name: "CJemalloc", pkgConfig: "jemalloc", providers: [.apt(["libjemalloc-dev"])]),

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

        // A synthetic brand community for demos, benchmarks and tests.
        .target(name: "ParleyDemo", dependencies: ["ParleyModel"], swiftSettings: strict),

        // The CLI.
        .executableTarget(
            name: "parley",
            dependencies: [
                "ParleyModel", "ParleyLog", "ParleyViews", "ParleyProjections", "ParleyDemo", "ParleyPluginHost", "ParleyConfiguration",
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

        // The configuration file of `surfaces.md` (YAML): listen, data, tokens, plugins. One
        // reader for the daemon and for `parley plugin run --config`.
        .target(
            name: "ParleyConfiguration",
            dependencies: [
                "ParleyModel", "ParleyLog", "ParleyPluginHost",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),

        // The daemon's library: tokens, routes, metrics and the services it runs.
        .target(
            name: "ParleyServer",
            dependencies: [
                "ParleyModel", "ParleyLog", "ParleyViews", "ParleyProjections", "ParleyConfiguration", "ParleyPluginHost",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // `parleyd`: the daemon's thin executable.
        .executableTarget(
            name: "parleyd",
            dependencies: [
                "ParleyServer", "ParleyConfiguration", "ParleyLog", "ParleyModel", "ParleyPluginHost", "CJemalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
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
        // What several test targets need: temporary paths, waits off the cooperative pool, a log recorder.
        .target(
            name: "ParleyTestSupport", dependencies: ["ParleyModel", .product(name: "Logging", package: "swift-log")], path: "Tests/ParleyTestSupport",
            swiftSettings: strict),
        .testTarget(
            name: "ParleyLogTests", dependencies: ["ParleyLog", "ParleyModel", "ParleyStore", "ParleyDemo", "ParleyTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "ParleyViewsTests", dependencies: ["ParleyViews", "ParleyModel"], swiftSettings: strict),
        .testTarget(
            name: "ParleyProjectionsTests",
            dependencies: ["ParleyProjections", "ParleyViews", "ParleyLog", "ParleyStore", "ParleyModel", "ParleyDemo", "ParleyTestSupport"],
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
            name: "ParleyServerTests",
            dependencies: [
                "ParleyDemo",
                "ParleyServer", "ParleyConfiguration", "ParleyPluginHost", "ParleyProjections", "ParleyViews", "ParleyLog", "ParleyModel", "parleyd", "ParleyTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                "ParleyPluginGitHub",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ParleyPluginHostTests",
            dependencies: [
                "ParleyPluginHost", "ParleyPluginProtocol", "ParleyLog", "ParleyModel", "parley", "ParleyTestSupport",
                "ParleyPluginGitHub", "ParleyPluginSLAWatch", "ParleyPluginLoop",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
