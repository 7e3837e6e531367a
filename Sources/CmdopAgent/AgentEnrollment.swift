import CmdopIdentity
import Foundation

/// What `cmdop join` leaves behind for `cmdop agent start`: the relay, fleet and name of this machine.
/// Stored as `agent.json` (mode 0600) beside the identity seed.
public struct AgentEnrollment: Codable, Sendable, Equatable {
    public var server: String
    public var fleet: String
    public var hostname: String
    public var name: String
    public var machineID: String
    /// A PEM CA certificate file to trust for the relay's TLS, when it is not in the system store.
    public var caCertificate: String?

    public init(server: String, fleet: String, hostname: String, name: String, machineID: String,
                caCertificate: String? = nil) {
        self.server = server
        self.fleet = fleet
        self.hostname = hostname
        self.name = name
        self.machineID = machineID
        self.caCertificate = caCertificate
    }

    enum CodingKeys: String, CodingKey {
        case server, fleet, hostname, name
        case machineID = "machine_id"
        case caCertificate = "ca_certificate"
    }

    /// Loads `agent.json`.
    /// - Throws: `MeshAgentError` naming the file and the fix.
    public static func load(from path: String) throws -> AgentEnrollment {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MeshAgentError("\(path): this machine is not enrolled; run `cmdop join KEY --server URL` first")
        }
        do {
            return try JSONDecoder().decode(AgentEnrollment.self, from: data)
        } catch {
            throw MeshAgentError("\(path): not a valid enrolment file (\(error)); run `cmdop join` again")
        }
    }

    /// Writes `agent.json` atomically, mode 0600.
    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try SecureFile.writeAtomically(try encoder.encode(self), to: path)
    }
}

/// Where an agent keeps its files: `~/.cmdop` (or `CMDOP_HOME`) and `~/.local/state/cmdop` for logs.
public struct AgentPaths: Sendable, Equatable {
    public var home: String
    public var stateDirectory: String

    public init(home: String, stateDirectory: String) {
        self.home = home
        self.stateDirectory = stateDirectory
    }

    /// The default locations, honouring `CMDOP_HOME` and `XDG_STATE_HOME`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> AgentPaths {
        let userHome = environment["HOME"] ?? NSHomeDirectory()
        let home = environment["CMDOP_HOME"] ?? userHome + "/.cmdop"
        let state = (environment["XDG_STATE_HOME"] ?? userHome + "/.local/state") + "/cmdop"
        return AgentPaths(home: home, stateDirectory: environment["CMDOP_HOME"].map { $0 + "/state" } ?? state)
    }

    public var identity: String { home + "/agent_keypair.bin" }
    public var enrollment: String { home + "/agent.json" }
    public var permissions: String { home + "/permissions.yaml" }
    public var auditLog: String { stateDirectory + "/audit.jsonl" }
}
