import ArgumentParser
import CmdopAgent
import CmdopCore
import CmdopIdentity
import CmdopMesh
import Foundation

/// `cmdop join KEY --server URL`: enrol this machine in a fleet.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Enrol this machine in a fleet with a join key, then run `cmdop agent start`.",
        discussion: """
            Creates this machine's Ed25519 identity (agent_keypair.bin, mode 0600) if it has none, proves it to \
            the relay, and writes agent.json and a starter permissions.yaml (strict, read-only commands allowed) \
            into the agent home (~/.cmdop or CMDOP_HOME).
            """)

    @Argument(help: "The join key (cmdop_enroll_…) from `cmdop server join-key`.")
    var key: String

    @Option(help: "The relay URL, e.g. https://relay.example.com:7443.")
    var server: String

    @Option(help: "A display name for this machine (default: the hostname).")
    var name: String?

    @Option(help: "The hostname to enrol as (default: this machine's hostname).")
    var hostname: String?

    @Option(help: "The agent home (default ~/.cmdop, or CMDOP_HOME).")
    var home: String?

    @Option(help: "A PEM CA certificate to trust for the relay's TLS (kept for `cmdop agent start`).")
    var caCert: String?

    func validate() throws {
        guard key.hasPrefix("cmdop_enroll_") else {
            throw ValidationError("'\(key.prefix(14))…' is not a join key; join keys start with cmdop_enroll_")
        }
    }

    func run() async throws {
        let paths = AgentPathsOption(home: home).paths
        var endpoint = try RelayEndpoint(parsing: server)
        endpoint.trustRootsPEM = try TrustRoots.load(caCert)
        let (identity, created) = try IdentityFile.loadOrCreate(at: paths.identity)
        if created { print("created identity \(identity.fingerprint) in \(paths.identity)") }
        let host = (hostname ?? ProcessInfo.processInfo.hostName).lowercased()
        let welcome = try await MachineAgent.enroll(joinKey: key, endpoint: endpoint, identity: identity,
                                                    hostname: host, name: name ?? "")
        let enrollment = AgentEnrollment(server: endpoint.description, fleet: welcome.fleet, hostname: host,
                                         name: name ?? host, machineID: welcome.machineID,
                                         caCertificate: caCert.map { URL(fileURLWithPath: $0).path })
        try enrollment.save(to: paths.enrollment)
        try PermissionsFile(path: paths.permissions).createStarterIfMissing()
        print("enrolled \(host) in fleet '\(welcome.fleet)' as \(welcome.machineID)")
        print("permissions: \(paths.permissions) (strict; edit it or use `cmdop permissions allow RULE`)")
        print("next: cmdop agent start")
    }
}

/// `--home` resolved to the agent's paths.
struct AgentPathsOption {
    let paths: AgentPaths

    init(home: String?) {
        var environment = ProcessInfo.processInfo.environment
        if let home { environment["CMDOP_HOME"] = home }
        paths = AgentPaths.standard(environment: environment)
    }
}
