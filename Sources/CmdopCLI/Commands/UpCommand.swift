import ArgumentParser
import CmdopAgent
import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopRelay
import CmdopStorage
import Foundation
import Logging

/// `cmdop up`: the embedded default — a relay, jarvis and this machine's agent, in one process.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run everything on this machine: the relay, jarvis and a local agent in the 'default' fleet.",
        discussion: """
            Data lives under ~/.local/share/cmdop (XDG_DATA_HOME, or --data-dir): relay.db, operator.key \
            (an admin API key, mode 0600, that the CLI on this machine uses by default), agent/ (the local \
            agent's identity, permissions.yaml and enrolment) and jarvis/ (jarvis's identity, its own \
            permissions.yaml, sessions, run journal, approvals and audit chain).
            jarvis's model: DATA-DIR/providers.yaml (or CMDOP_PROVIDERS); else an ollama on 127.0.0.1:11434; \
            else the project's local llama.cpp server (scripts/llama-server.sh, started for you).
            """)

    @Option(help: "HOST:PORT for the relay (loopback unless you add TLS with `cmdop server`).")
    var listen = "127.0.0.1:7443"

    @Option(help: "Where to keep everything (default ~/.local/share/cmdop).")
    var dataDir: String?

    @OptionGroup var serving: JarvisServeOptions

    @Flag(help: "Run without jarvis (relay and local agent only).")
    var noJarvis = false

    @Option(help: "The umask the local agent runs commands with, in octal (default: the one cmdop was started with, usually 022).")
    var umask: String?

    @Flag(help: "The local agent checks commands with the static gate only, not every program they exec.")
    var noExecSupervisor = false

    func run() async throws {
        let commandUmask = try FileModes.commandUmask(umask)
        let (host, port) = try ListenAddress.parse(listen)
        let httpAddress = try serving.address()
        let directory = DataDirectory(override: dataDir)
        let store = try RelayStore(path: directory.database)
        let fleet = try store.ensureFleet(named: "default").fleet
        let operatorKey = try ensureOperatorKey(store: store, fleetID: fleet.id, path: directory.operatorKeyPath)
        let logger = CLILogging.logger("cmdop.up", defaultLevel: .notice)
        let configuration = RelayConfiguration(host: host, port: port)
        do { try configuration.validate() } catch let error as MeshError { throw ValidationError(error.message) }
        let relay = RelayServer(configuration: configuration, store: store, logger: logger)
        let paths = AgentPaths(home: directory.localAgentHome, stateDirectory: directory.localAgentHome + "/state")

        try await SignalScope.run {
            try await withThrowingDiscardingTaskGroup { group in
                let (bound, announce) = AsyncStream<Int>.makeStream()
                group.addTask {
                    defer { announce.finish() }  // a relay that cannot bind must not leave us waiting
                    try await relay.run { announce.yield($0) }
                }
                var ports = bound.makeAsyncIterator()
                guard let boundPort = await ports.next() else { return }
                let endpoint = RelayEndpoint(host: host == "0.0.0.0" ? "127.0.0.1" : host, port: boundPort, useTLS: false)
                let agent = try await localAgent(store: store, fleet: fleet, endpoint: endpoint, paths: paths, commandUmask: commandUmask,
                                                 logger: logger)
                group.addTask { await agent.run() }
                if !noJarvis {
                    group.addTask {
                        try await EmbeddedJarvis.run(store: store, fleet: fleet, endpoint: endpoint, directory: directory,
                                                     http: httpAddress, httpPlain: serving.httpPlain, definitionsDirectory: serving.definitions, mayStartLocalModel: true, logger: logger)
                    }
                }
                let server = boundPort == 7443 ? "" : " --server \(endpoint)"
                Terminal.say("""
                    cmdop is up: relay on \(endpoint), this machine enrolled as '\(agent.configuration.hostname)' \
                    in fleet 'default'.
                      cmdop machines\(server)
                      cmdop exec --all\(server) -- uptime
                      cmdop exec \(agent.configuration.hostname)\(server) -- df -h /
                    Operator key: \(directory.operatorKeyPath) (\(operatorKey.prefix(14))…, used by default on this machine).
                    This machine's permissions: \(paths.permissions) (strict: read-only commands allowed); \
                    \(agent.enforcement.description).
                    Enrol another machine: cmdop server join-key --fleet default --data-dir \(directory.path)
                    Stop with Ctrl-C.
                    """)
            }
        }
    }

    /// The admin key `cmdop up` keeps for the local CLI, created on first run (mode 0600).
    private func ensureOperatorKey(store: RelayStore, fleetID: String, path: String) throws -> String {
        if let data = FileManager.default.contents(atPath: path) {
            let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if let record = try store.authenticateAPIKey(key), record.revokedAt == nil { return key }
        }
        let key = try store.createAPIKey(fleetID: fleetID, scopes: [.admin], label: "cmdop up (local operator)").key
        try SecureFile.writeAtomically(Data((key + "\n").utf8), to: path)
        return key
    }

    /// This machine's agent, enrolled in `fleet` on first run.
    private func localAgent(store: RelayStore, fleet: FleetRecord, endpoint: RelayEndpoint, paths: AgentPaths,
                            commandUmask: mode_t, logger: Logger) async throws -> MachineAgent {
        let (identity, _) = try IdentityFile.loadOrCreate(at: paths.identity)
        try PermissionsFile(path: paths.permissions).createStarterIfMissing()
        var enrollment = try? AgentEnrollment.load(from: paths.enrollment)
        // Enrol when there is no enrolment yet, or the relay's database no longer knows this machine.
        let known = try enrollment.flatMap { try store.machine(fleetID: fleet.id, hostname: $0.hostname) }
        if enrollment == nil || known?.publicKey != identity.publicKey {
            let hostname = ProcessInfo.processInfo.hostName.lowercased()
            let joinKey = try store.createJoinKey(fleetID: fleet.id)
            let welcome = try await MachineAgent.enroll(joinKey: joinKey, endpoint: endpoint, identity: identity,
                                                        hostname: hostname)
            enrollment = AgentEnrollment(server: endpoint.description, fleet: fleet.name, hostname: hostname,
                                         name: hostname, machineID: welcome.machineID)
            try enrollment?.save(to: paths.enrollment)
        }
        var configuration = AgentConfiguration(
            endpoint: endpoint, fleet: fleet.name, hostname: enrollment!.hostname, name: enrollment!.name,
            identity: identity, paths: paths)
        configuration.commandUmask = commandUmask
        configuration.superviseExecs = !noExecSupervisor
        // The relay's database and the admin key live here too.
        configuration.protectedPaths.append(URL(fileURLWithPath: paths.home).deletingLastPathComponent().path)
        return try MachineAgent(configuration: configuration, logger: logger)
    }
}
