import ArgumentParser
import CmdopAgent
import CmdopIdentity
import CmdopMesh
import Foundation

/// `cmdop agent start`: the machine daemon.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Run the machine daemon.", subcommands: [Start.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dial out to the relay and serve exec, read_file and list_dir behind permissions.yaml.",
            discussion: "Re-connects with exponential back-off and jitter. Audit log: ~/.local/state/cmdop/audit.jsonl.")

        @Option(help: "The agent home (default ~/.cmdop, or CMDOP_HOME).")
        var home: String?

        @Option(help: "The umask commands run with, in octal (default: the one cmdop was started with, usually 022).")
        var umask: String?

        @Flag(help: "Check commands with the static gate only, not every program they exec (the agent says so at start).")
        var noExecSupervisor = false

        func run() async throws {
            let commandUmask = try FileModes.commandUmask(umask)
            let paths = AgentPathsOption(home: home).paths
            let enrollment = try AgentEnrollment.load(from: paths.enrollment)
            let identity = try IdentityFile.load(from: paths.identity)
            _ = try PermissionsFile(path: paths.permissions).policy()
            var endpoint = try RelayEndpoint(parsing: enrollment.server)
            endpoint.trustRootsPEM = try TrustRoots.load(enrollment.caCertificate)
            var configuration = AgentConfiguration(
                endpoint: endpoint, fleet: enrollment.fleet,
                hostname: enrollment.hostname, name: enrollment.name, identity: identity, paths: paths, commandUmask: commandUmask)
            configuration.superviseExecs = !noExecSupervisor
            let logger = CLILogging.logger("cmdop.agent", defaultLevel: .info)
            let agent = try MachineAgent(configuration: configuration, logger: logger)
            logger.info("agent starting", metadata: ["agent.hostname": "\(enrollment.hostname)",
                                                    "agent.server": "\(enrollment.server)"])
            try await SignalScope.run { await agent.run() }
        }
    }
}

/// `cmdop identity show`.
struct IdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity", abstract: "This machine's Ed25519 identity.", subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the public key's fingerprint and where the seed lives.")

        @Option(help: "The agent home (default ~/.cmdop, or CMDOP_HOME).")
        var home: String?

        @Flag(help: "Create the identity if there is none yet.")
        var create = false

        func run() throws {
            let paths = AgentPathsOption(home: home).paths
            let identity = create ? try IdentityFile.loadOrCreate(at: paths.identity).identity
                                  : try IdentityFile.load(from: paths.identity)
            print("fingerprint: \(identity.fingerprint)")
            print("public key:  \(Crypto.hex(identity.publicKey))")
            print("seed file:   \(paths.identity) (0600)")
            if let enrollment = try? AgentEnrollment.load(from: paths.enrollment) {
                print("enrolled:    \(enrollment.hostname) in fleet '\(enrollment.fleet)' at \(enrollment.server)")
            }
        }
    }
}
