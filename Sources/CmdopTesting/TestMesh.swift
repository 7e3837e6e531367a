import CmdopAgent
import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopRelay
import CmdopStorage
import Foundation
import Logging
import Synchronization

/// A whole mesh on loopback for tests and benchmarks: a real relay on a free port with a real
/// SQLite file, and real agents (each with its own identity, home and stream) in this process.
///
/// ```swift
/// try await TestMesh.with { mesh in
///     let fleet = try mesh.fleet("ops")
///     let web = try await mesh.startAgent("web-1", joinKey: fleet.joinKey)
///     try await mesh.withClient(fleet.operatorKey) { client in … }
/// }
/// ```
public final class TestMesh: Sendable {
    public let directory: String
    public let store: RelayStore
    public let heartbeat: Duration
    let relayConfiguration: RelayConfiguration
    let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var relayTask: Task<Void, any Error>?
        var port = 0
        var agents: [String: Task<Void, Never>] = [:]
        var jarvisIdentities: [String: Ed25519Identity] = [:]
    }

    /// A fleet made for a test: its join key and an operator key with every scope but `admin`.
    public struct Fleet: Sendable {
        public var name: String
        public var id: String
        public var joinKey: String
        public var operatorKey: String
    }

    init(directory: String, heartbeat: Duration, relayConfiguration: RelayConfiguration) throws {
        self.directory = directory
        self.heartbeat = heartbeat
        self.relayConfiguration = relayConfiguration
        self.store = try RelayStore(path: directory + "/relay/relay.db")
        var logger = Logger(label: "cmdop.test")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        self.logger = logger
    }

    /// Runs `body` with a fresh mesh and tears everything down afterwards, even when it throws.
    public static func with<Result: Sendable>(
        heartbeat: Duration = .seconds(1),
        relay configure: (inout RelayConfiguration) -> Void = { _ in },
        _ body: (TestMesh) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.path + "/cmdop-test-" + UUID().uuidString
        var relayConfiguration = RelayConfiguration(host: "127.0.0.1", port: 0, heartbeatInterval: heartbeat)
        configure(&relayConfiguration)
        let mesh = try TestMesh(directory: directory, heartbeat: heartbeat, relayConfiguration: relayConfiguration)
        try await mesh.startRelay()
        do {
            let result = try await body(mesh)
            await mesh.shutdown()
            return result
        } catch {
            await mesh.shutdown()
            throw error
        }
    }

    /// The relay's URL (https with the test certificate as trust root when the relay uses TLS).
    public var endpoint: RelayEndpoint {
        let port = state.withLock { $0.port }
        guard let certificate = relayConfiguration.tlsCertificatePath else {
            return RelayEndpoint(host: "127.0.0.1", port: port, useTLS: false)
        }
        let roots = FileManager.default.contents(atPath: certificate).map { String(decoding: $0, as: UTF8.self) }
        return RelayEndpoint(host: "127.0.0.1", port: port, useTLS: true, trustRootsPEM: roots)
    }

    /// Starts the relay (on the same port as before, after a `stopRelay`).
    public func startRelay() async throws {
        let port = state.withLock { $0.port }
        var configuration = relayConfiguration
        configuration.port = port
        let relay = RelayServer(configuration: configuration, store: store, logger: logger)
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await relay.run { port in continuation.yield(port) }
        }
        var iterator = bound.makeAsyncIterator()
        guard let listening = await iterator.next() else {
            _ = try await task.value
            throw MeshError(.unavailable, "the test relay did not start")
        }
        state.withLock {
            $0.port = listening
            $0.relayTask = task
        }
    }

    /// Stops the relay; its streams drop and agents start re-connecting.
    public func stopRelay() async {
        let task = state.withLock { state in
            defer { state.relayTask = nil }
            return state.relayTask
        }
        task?.cancel()
        _ = try? await task?.value
    }

    /// Creates fleet `name` with a join key and an operator key.
    public func fleet(_ name: String, scopes: Set<Scope> = Set(Scope.all).subtracting([.admin])) throws -> Fleet {
        let fleet = try store.ensureFleet(named: name).fleet
        let joinKey = try store.createJoinKey(fleetID: fleet.id)
        let key = try store.createAPIKey(fleetID: fleet.id, scopes: scopes, label: "test").key
        return Fleet(name: name, id: fleet.id, joinKey: joinKey, operatorKey: key)
    }

    /// Paths of a test agent called `hostname`.
    public func paths(of hostname: String) -> AgentPaths {
        AgentPaths(home: directory + "/agents/\(hostname)/home", stateDirectory: directory + "/agents/\(hostname)/state")
    }

    /// Enrols and starts an agent; returns once the relay lists it online.
    /// - Parameters:
    ///   - permissions: the agent's `permissions.yaml`; by default everything but the floor is allowed.
    @discardableResult
    public func startAgent(_ hostname: String, fleet: Fleet, name: String = "",
                           permissions: String = "mode: bypass\n",
                           configure: (inout AgentConfiguration) -> Void = { _ in }) async throws -> MachineAgent {
        let paths = paths(of: hostname)
        try FileManager.default.createDirectory(atPath: paths.home, withIntermediateDirectories: true)
        try SecureFile.writeAtomically(Data(permissions.utf8), to: paths.permissions)
        let (identity, _) = try IdentityFile.loadOrCreate(at: paths.identity)
        _ = try await MachineAgent.enroll(joinKey: fleet.joinKey, endpoint: endpoint, identity: identity,
                                          hostname: hostname, name: name)
        var configuration = AgentConfiguration(
            endpoint: endpoint, fleet: fleet.name, hostname: hostname, name: name, identity: identity, paths: paths,
            homeDirectory: directory + "/agents/\(hostname)", backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(400)),
            killGrace: .milliseconds(500))
        configure(&configuration)
        let agent = try MachineAgent(configuration: configuration, logger: logger)
        let task = Task { await agent.run() }
        state.withLock { $0.agents[hostname] = task }
        try await waitUntil("\(hostname) online") { agent.isConnected }
        return agent
    }

    /// Stops an agent's daemon, as if the machine died.
    public func stopAgent(_ hostname: String) async {
        let task = state.withLock { $0.agents.removeValue(forKey: hostname) }
        task?.cancel()
        await task?.value
    }

    /// Runs `body` with an operator client using `apiKey`.
    public func withClient<Result: Sendable>(_ apiKey: String,
                                             _ body: @escaping @Sendable (MeshClient) async throws -> Result)
        async throws -> Result
    {
        try await MeshClient.connect(to: endpoint, credentials: .apiKey(apiKey), body)
    }

    /// Runs `body` with a client connected as the fleet's jarvis (registered on first use, with the
    /// same identity afterwards), serving inbound requests with `handler`.
    public func withJarvis<Result: Sendable>(
        _ fleet: Fleet, hostname: String = "jarvis", serving handler: MeshClient.RequestHandler? = nil,
        _ body: @escaping @Sendable (MeshClient) async throws -> Result
    ) async throws -> Result {
        let identity = try state.withLock { state -> Ed25519Identity in
            if let identity = state.jarvisIdentities[fleet.id + "/" + hostname] { return identity }
            let identity = Ed25519Identity.generate().identity
            _ = try store.registerJarvis(fleetID: fleet.id, hostname: hostname, publicKey: identity.publicKey)
            state.jarvisIdentities[fleet.id + "/" + hostname] = identity
            return identity
        }
        let credentials = MachineCredentials(identity: identity, role: .jarvis, fleet: fleet.name, hostname: hostname)
        return try await MeshClient.connect(to: endpoint, credentials: .machine(credentials), serving: handler, body)
    }

    /// Polls `condition` every 20 ms until it holds, or throws after `timeout` (a hang catcher, generous
    /// for a busy machine: tests assert outcomes, never how fast they came).
    public func waitUntil(_ what: String, timeout: Duration = .seconds(30),
                          _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw MeshError(.timeout, "timed out waiting for \(what)")
    }

    func shutdown() async {
        let agents = state.withLock { state in
            defer { state.agents.removeAll() }
            return Array(state.agents.values)
        }
        for agent in agents { agent.cancel() }
        for agent in agents { await agent.value }
        await stopRelay()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
