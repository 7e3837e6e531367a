import CmdopIdentity
import CmdopProtocol

/// How a participant proves who it is in its Hello.
public enum RelayCredentials: Sendable {
    /// A machine or jarvis: an Ed25519 identity, optionally with a join key (first enrolment) or a
    /// continuity token (fast re-connect within 30 s).
    case machine(MachineCredentials)
    /// An operator: a fleet API key (`cmdop_…`).
    case apiKey(String)
}

/// The identity a machine (or jarvis) presents.
public struct MachineCredentials: Sendable {
    public var identity: Ed25519Identity
    public var role: Cmdop_Agent_V1_Role
    public var fleet: String
    public var hostname: String
    public var name: String
    public var joinKey: String?
    public var continuityToken: String?
    public var agentVersion: String
    public var os: String
    public var capabilities: [String]

    public init(identity: Ed25519Identity, role: Cmdop_Agent_V1_Role = .agent, fleet: String, hostname: String,
                name: String = "", joinKey: String? = nil, continuityToken: String? = nil,
                agentVersion: String = CmdopVersion.current, os: String = CmdopVersion.os,
                capabilities: [String] = ["exec", "read_file", "list_dir"]) {
        self.identity = identity
        self.role = role
        self.fleet = fleet
        self.hostname = hostname.lowercased()
        self.name = name.isEmpty ? hostname : name
        self.joinKey = joinKey
        self.continuityToken = continuityToken
        self.agentVersion = agentVersion
        self.os = os
        self.capabilities = capabilities
    }

    /// The role as signed in the handshake transcript.
    var roleName: String {
        switch role {
        case .jarvis: "jarvis"
        case .operator: "operator"
        default: "agent"
        }
    }
}

/// The running build's version and platform, reported in every Hello.
public enum CmdopVersion {
    public static let current = "0.1.0"
    #if os(Linux)
    public static let os = "linux"
    #else
    public static let os = "darwin"
    #endif
}
