// swift-tools-version:6.0
import PackageDescription

// Three layers, one direction of dependency:
//   CHTTPParser (C: the HTTP/1.1 parser) and CSystemShims (C: thin shims over epoll/OpenSSL/zlib)
//     <- Transport (event loop, sockets, TLS, HTTP/1.1 client and server)
//     <- Pismo (AWS clients, processor, deliver) <- PismoCLI (the `pismo` executable)
// PismoJSON (JSON reader/writer + JSON Schema 2020-12) depends on nothing and is used by Pismo.
// TransportTesting (a throwaway TLS PKI) is for tests and benchmarks only; nothing shipped uses it.
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Pismo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pismo", targets: ["PismoCLI"]),
        .executable(name: "pismo-bench", targets: ["PismoBench"]),
        .executable(name: "pismo-microbench", targets: ["MicroBench"]),
        .executable(name: "pismo-conformance", targets: ["ConformanceRunner"]),
        .executable(name: "fakeaws", targets: ["FakeAWS"]),
    ],
    dependencies: [
        // Floors are the first releases with every API we use (checked against each release's sources):
        // argument-parser 1.5.0: Swift 6 language-mode fixes (Sendable CommandConfiguration since 1.4.0).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // swift-log 1.12.0: JSONLogHandler implements `log(event: LogEvent)` (LogEvent came in 1.11.0) and
        // reads `LogEvent.error` (added in 1.12.0, SLG-0003).
        .package(url: "https://github.com/apple/swift-log", from: "1.12.0"),
        // hdrhistogram-swift 0.2.0: the bench merges worker histograms with `add(_:)` (not in 0.1.x).
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // Metrics: the swift-metrics API (CoreMetrics only) over swift-prometheus 2.x's registry (no NIO;
        // it pulls in swift-atomics), rendered by our own HTTP server. These two floors are the releases
        // the facade was written and measured against, not searched further back.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Graceful shutdown on SIGTERM/SIGINT (ServiceGroup); no NIO, pulls in swift-async-algorithms.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // -O2 even in debug builds: the parser and the shims sit on every request's path.
        .target(
            name: "CHTTPParser",
            path: "Sources/CHTTPParser",
            cSettings: [.unsafeFlags(["-O2"])]
        ),
        .target(
            name: "CSystemShims",
            path: "Sources/CSystemShims",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto"), .linkedLibrary("z")]
        ),
        .target(
            name: "Transport",
            dependencies: ["CHTTPParser", "CSystemShims", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Transport",
            swiftSettings: strict
        ),
        .target(
            name: "TransportTesting",
            dependencies: ["Transport", "CSystemShims"],
            path: "Sources/TransportTesting",
            swiftSettings: strict
        ),
        .target(
            name: "PismoJSON",
            path: "Sources/PismoJSON",
            swiftSettings: strict
        ),
        .target(
            name: "Pismo",
            dependencies: [
                "CSystemShims", "Transport", "PismoJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/Pismo",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "PismoCLI",
            dependencies: [
                "Pismo", "Transport", "PismoJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/PismoCLI",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "PismoBench",
            dependencies: [
                "Transport", "PismoJSON", "Pismo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "bench/Sources/PismoBench",
            swiftSettings: strict
        ),
        // In-process microbenchmarks: JSON, schema validation, SigV4, AWS encode/decode.
        .executableTarget(
            name: "MicroBench",
            dependencies: ["Transport", "TransportTesting", "PismoJSON", "Pismo"],
            path: "bench/Sources/MicroBench",
            swiftSettings: strict
        ),
        // bench/fakeaws: an in-memory SQS + DynamoDB + Streams endpoint for saturation benchmarks.
        // A bench fixture, not part of `pismo`: nothing in Sources depends on it.
        .target(
            name: "FakeAWSCore",
            dependencies: ["Transport", "PismoJSON", "CSystemShims"],
            path: "bench/fakeaws/Core",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "FakeAWS",
            dependencies: ["FakeAWSCore", "Transport"],
            path: "bench/fakeaws/Main",
            swiftSettings: strict
        ),
        // Runs the official conformance suites in ../shared/conformance (kept out of the unit tests,
        // which stay self-contained). Called from scripts/test.sh.
        .executableTarget(
            name: "ConformanceRunner",
            dependencies: ["Transport", "PismoJSON", "Pismo"],
            path: "Tests/ConformanceRunner",
            swiftSettings: strict
        ),
        .testTarget(name: "CHTTPParserTests", dependencies: ["CHTTPParser"], path: "Tests/CHTTPParserTests", swiftSettings: strict),
        .testTarget(name: "CSystemShimsTests", dependencies: ["CSystemShims"], path: "Tests/CSystemShimsTests", swiftSettings: strict),
        .testTarget(
            name: "TransportTests", dependencies: ["Transport", "TransportTesting", "CSystemShims"], path: "Tests/TransportTests",
            swiftSettings: strict),
        .testTarget(name: "PismoJSONTests", dependencies: ["PismoJSON"], path: "Tests/PismoJSONTests", swiftSettings: strict),
        .testTarget(name: "FakeAWSTests", dependencies: ["FakeAWSCore", "Pismo", "Transport"], path: "Tests/FakeAWSTests", swiftSettings: strict),
        .testTarget(name: "PismoTests", dependencies: ["Pismo", "Transport", "PismoJSON", .product(name: "Logging", package: "swift-log")], path: "Tests/PismoTests", swiftSettings: strict),
    ]
)
