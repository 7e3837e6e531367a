// swift-tools-version: 6.1
// cmdop: a private mesh for machines you own, with jarvis at its centre.
// Module map (dependencies point inward to the pure modules at the top):
//   CmdopCore, CmdopPermissions          pure: types, machine resolution, the permission gate
//   CmdopProviders                       pure: LLM wire formats, events, retries, config (no curl, no NIO)
//   CCurl → CmdopCurl                    the libcurl HTTP transport behind CmdopProviders' HTTPTransport
//   CSodium → CmdopIdentity              Ed25519 identity (libsodium); hashes, HMAC (swift-crypto)
//   CmdopStorage                         SQLite (GRDB, system libsqlite3) with versioned migrations; one-process folder locks
//   CmdopProtocol                        generated protobuf + gRPC code (scripts/generate-proto.sh)
//   CmdopMesh                            the relay connection shared by agents, operators and jarvis
//   CmdopRelay, CmdopAgent               the relay server and the machine daemon
//   CExecSupervisor                      C: spawn under a seccomp filter whose execs wait for the agent's answer
//   JarvisCore → JarvisTools             jarvis's agent loop (pure) and its fleet tools over the relay
//   JarvisAudit                          jarvis's hash-chained audit log (SQLite)
//   JarvisSessions                       sessions: append-only event logs clients attach to (SQLite)
//   JarvisApprovals                      durable on-call approvals bound to one exact call (SQLite)
//   JarvisSchedule                       pure: cron expressions and next-fire times across DST
//   JarvisWebhooks                       webhook signature verification (GitHub, Standard Webhooks, HMAC, bearer)
//   JarvisTriggers                       Triggers/ and Webhooks/ definitions, the scheduler, webhook intake and deliveries
//   JarvisRuntime                        the run journal (resume after a crash); runs into sessions and audit
//   JarvisAutomation                     triggers and webhook deliveries become jarvis runs; reload on change
//   JarvisHTTP                           jarvis's HTTP API (Hummingbird): sessions with SSE, approvals, runs, machines
//   JarvisDaemon                         jarvis as a process: identity, stores, policy, relay link, HTTP API
//   CmdopCLI → cmdop                     ArgumentParser commands; the executable is one line
//   CmdopTesting                         boots a whole mesh on port 0 for tests and benchmarks
//   CmdopProvidersTesting                a fake LLM server (SwiftNIO, 127.0.0.1) replaying recorded streams
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The provider modules also make imports internal by default and member visibility explicit.
let strictImports: [SwiftSetting] = swiftSettings + [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let grpcCore = Target.Dependency.product(name: "GRPCCore", package: "grpc-swift-2")
let grpcHTTP2 = Target.Dependency.product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")
let grpcProtobuf = Target.Dependency.product(name: "GRPCProtobuf", package: "grpc-swift-protobuf")
let swiftProtobuf = Target.Dependency.product(name: "SwiftProtobuf", package: "swift-protobuf")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let yams = Target.Dependency.product(name: "Yams", package: "Yams")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "cmdop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cmdop", targets: ["cmdop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CExecSupervisor"),
        .target(name: "CmdopProviders", dependencies: [logging, yams], swiftSettings: strictImports),
        .target(
            name: "JarvisCore",
            dependencies: ["CmdopProviders", "CmdopCore", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: strictImports),
        .target(name: "JarvisAudit", dependencies: ["CmdopIdentity", "CmdopStorage", grdb], swiftSettings: swiftSettings),
        .target(name: "JarvisSessions", dependencies: ["CmdopStorage", grdb], swiftSettings: swiftSettings),
        .target(name: "JarvisSchedule", swiftSettings: swiftSettings),
        .target(name: "JarvisWebhooks", dependencies: ["CmdopIdentity"], swiftSettings: swiftSettings),
        .target(
            name: "JarvisTriggers",
            dependencies: ["JarvisSchedule", "JarvisWebhooks", "CmdopIdentity", "CmdopStorage", "CmdopProviders", yams, grdb,
                           .product(name: "GRDBSQLite", package: "GRDB.swift"),
                           .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: swiftSettings),
        .target(name: "JarvisApprovals", dependencies: ["CmdopIdentity", "CmdopStorage", grdb], swiftSettings: swiftSettings),
        .target(
            name: "JarvisRuntime",
            dependencies: ["JarvisCore", "JarvisTools", "JarvisSessions", "JarvisAudit", "JarvisApprovals", "CmdopProviders",
                           "CmdopIdentity", "CmdopStorage", "CmdopMesh", "CmdopPermissions", grdb],
            swiftSettings: strictImports),
        .target(
            name: "JarvisTools",
            dependencies: ["JarvisCore", "JarvisApprovals", "CmdopProviders", "CmdopMesh", "CmdopCore", "CmdopPermissions",
                           "CmdopProtocol", "CmdopIdentity"],
            swiftSettings: strictImports),
        .target(
            name: "JarvisAutomation",
            dependencies: ["JarvisTriggers", "JarvisRuntime", "JarvisCore", logging],
            swiftSettings: swiftSettings),
        .target(
            name: "JarvisHTTP",
            dependencies: ["JarvisRuntime", "JarvisCore", "JarvisAutomation", "JarvisTriggers", "JarvisSessions", "JarvisApprovals", "JarvisTools", "CmdopMesh", "CmdopCore",
                           "CmdopProtocol", "CmdopProviders", "CmdopStorage", "CmdopIdentity",
                           .product(name: "Hummingbird", package: "hummingbird"), logging],
            swiftSettings: swiftSettings),
        .target(
            name: "JarvisDaemon",
            dependencies: ["JarvisHTTP", "JarvisAutomation", "JarvisTriggers", "JarvisRuntime", "JarvisSessions", "JarvisApprovals", "JarvisAudit", "JarvisTools",
                           "JarvisCore", "CmdopMesh", "CmdopCore", "CmdopIdentity", "CmdopPermissions", "CmdopProviders", "CmdopStorage",
                           .product(name: "Hummingbird", package: "hummingbird"), logging],
            swiftSettings: swiftSettings),
        .target(name: "CmdopCurl", dependencies: ["CCurl", "CmdopProviders", logging], swiftSettings: strictImports),
        .target(
            name: "CmdopProvidersTesting",
            dependencies: [
                "CmdopProviders",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")], swiftSettings: strictImports),
        .target(name: "CmdopCore", swiftSettings: swiftSettings),
        .target(name: "CmdopPermissions", dependencies: [yams], swiftSettings: swiftSettings),
        .target(name: "CmdopIdentity", dependencies: ["CSodium", "CmdopCore", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        .target(name: "CmdopStorage", dependencies: ["CmdopCore", "CmdopIdentity", grdb], swiftSettings: swiftSettings),
        .target(
            name: "CmdopProtocol", dependencies: [grpcCore, grpcProtobuf, swiftProtobuf],
            exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "CmdopMesh",
            dependencies: ["CmdopCore", "CmdopIdentity", "CmdopProtocol", grpcCore, grpcHTTP2, logging],
            swiftSettings: swiftSettings),
        .target(
            name: "CmdopRelay",
            dependencies: ["CmdopCore", "CmdopIdentity", "CmdopStorage", "CmdopProtocol", "CmdopMesh",
                           grpcCore, grpcHTTP2, logging],
            swiftSettings: swiftSettings),
        .target(
            name: "CmdopAgent",
            dependencies: ["CmdopCore", "CmdopIdentity", "CmdopPermissions", "CmdopProtocol", "CmdopMesh",
                           "JarvisCore", "CmdopProviders", "CExecSupervisor",
                           grpcCore, logging, yams],
            swiftSettings: swiftSettings),
        .target(
            name: "CmdopCLI",
            dependencies: ["CmdopCore", "CmdopIdentity", "CmdopStorage", "CmdopProtocol", "CmdopMesh",
                           "CmdopRelay", "CmdopAgent", "CmdopPermissions", "CmdopProviders", "CmdopCurl", "JarvisAudit", "JarvisApprovals",
                           "JarvisDaemon", "JarvisTriggers", "JarvisTools",
                           argumentParser, logging],
            swiftSettings: swiftSettings),
        .executableTarget(name: "cmdop", dependencies: ["CmdopCLI"], swiftSettings: swiftSettings),
        .target(
            name: "CmdopTesting",
            dependencies: ["CmdopCore", "CmdopIdentity", "CmdopStorage", "CmdopMesh", "CmdopRelay",
                           "CmdopAgent", "CmdopProtocol", grpcCore, grpcHTTP2, grpcProtobuf, swiftProtobuf, logging],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "cmdop-bench", dependencies: ["CmdopAgent", "CmdopMesh", "CmdopCore", "CmdopIdentity", "CmdopStorage", "CmdopProtocol",
                                                "CmdopTesting", logging],
            path: "Benchmarks/cmdop-bench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "jarvis-bench",
            dependencies: ["JarvisCore", "JarvisRuntime", "JarvisTools", "CmdopTesting", "CmdopProviders", "CmdopMesh",
                           "CmdopCore", "CmdopPermissions", "JarvisHTTP", "JarvisTriggers", "JarvisWebhooks", "CmdopIdentity",
                           .product(name: "Hummingbird", package: "hummingbird"), argumentParser, logging],
            path: "Benchmarks/jarvis-bench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "gate-fuzz", dependencies: ["CmdopPermissions"], path: "Fuzz/gate-fuzz", swiftSettings: swiftSettings),
        .executableTarget(
            name: "provider-bench", dependencies: ["CmdopProviders", "CmdopCurl", "CmdopProvidersTesting"],
            path: "Benchmarks/provider-bench", swiftSettings: strictImports),
        .testTarget(
            name: "CmdopProvidersTests", dependencies: ["CmdopProviders", "CmdopCurl", "CmdopProvidersTesting"],
            swiftSettings: strictImports),
        .testTarget(
            name: "JarvisTests",
            dependencies: ["JarvisCore", "JarvisTools", "CmdopProviders", "CmdopCurl", "CmdopProvidersTesting",
                           "CmdopTesting", "CmdopMesh", "CmdopCore", "CmdopAgent", "CmdopPermissions", "CmdopIdentity",
                           "JarvisApprovals"],
            swiftSettings: swiftSettings),
        .testTarget(name: "JarvisAuditTests", dependencies: ["JarvisAudit", grdb], swiftSettings: swiftSettings),
        .testTarget(name: "JarvisSessionsTests", dependencies: ["JarvisSessions"], swiftSettings: swiftSettings),
        .testTarget(name: "JarvisScheduleTests", dependencies: ["JarvisSchedule"], swiftSettings: swiftSettings),
        .testTarget(
            name: "JarvisTriggersTests",
            dependencies: ["JarvisTriggers", "JarvisSchedule", "JarvisWebhooks", "CmdopIdentity", "CmdopStorage", grdb],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "JarvisWebhooksTests", dependencies: ["JarvisWebhooks", "CmdopIdentity"], swiftSettings: swiftSettings),
        .testTarget(name: "JarvisApprovalsTests", dependencies: ["JarvisApprovals"], swiftSettings: swiftSettings),
        .testTarget(
            name: "JarvisRuntimeTests",
            dependencies: ["JarvisRuntime", "JarvisCore", "JarvisTools", "JarvisSessions", "JarvisAudit", "CmdopProviders",
                           "CmdopCurl", "CmdopProvidersTesting", "CmdopTesting", "CmdopMesh", "CmdopPermissions",
                           "JarvisApprovals", "CmdopAgent", "CmdopCore", "CmdopIdentity"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "JarvisHTTPTests",
            dependencies: ["JarvisHTTP", "JarvisAutomation", "JarvisTriggers", "CmdopIdentity", "JarvisRuntime", "JarvisCore", "JarvisTools", "JarvisSessions", "JarvisAudit",
                           "JarvisApprovals", "CmdopProviders", "CmdopCurl", "CmdopProvidersTesting", "CmdopTesting",
                           "CmdopMesh", "CmdopCore", "CmdopPermissions", "CmdopStorage", "JarvisDaemon", .product(name: "Hummingbird", package: "hummingbird"),
                           logging],
            swiftSettings: swiftSettings),
        .testTarget(name: "CmdopCoreTests", dependencies: ["CmdopCore"], swiftSettings: swiftSettings),
        .testTarget(name: "CmdopStorageTests", dependencies: ["CmdopStorage"], swiftSettings: swiftSettings),
        .testTarget(name: "CmdopPermissionsTests", dependencies: ["CmdopPermissions"], swiftSettings: swiftSettings),
        .testTarget(name: "CmdopIdentityTests", dependencies: ["CmdopIdentity"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CmdopMeshTests",
            dependencies: ["CmdopTesting", "CmdopMesh", "CmdopRelay", "CmdopAgent", "CmdopStorage",
                           "CmdopIdentity", "CmdopCore", "CmdopProtocol", "CmdopCLI"],
            swiftSettings: swiftSettings),
    ]
)
