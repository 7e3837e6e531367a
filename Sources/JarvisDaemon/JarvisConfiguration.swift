import CmdopMesh
import Foundation
import JarvisCore

/// Everything one jarvis process needs: where the relay is, which fleet it serves, where it keeps
/// its identity and stores, and where its HTTP API listens.
public struct JarvisConfiguration: Sendable {
    public var endpoint: RelayEndpoint
    /// The fleet's name (jarvis's identity must be registered in it: `cmdop server register-jarvis`).
    public var fleet: String
    public var hostname: String
    /// jarvis's folder: `jarvis_keypair.bin`, `permissions.yaml`, `sessions.db`, `journal.db`,
    /// `approvals.db`, `audit.db`.
    public var home: String
    public var httpHost: String
    public var httpPort: Int
    /// The system prompt template (`Prompts/system.md`); nil uses the built-in one.
    public var promptPath: String?
    /// The folder holding `Triggers/`, `Webhooks/` and `Prompts/`; nil runs no automation.
    public var definitionsDirectory: String?
    public var budget: RunBudget
    /// Seconds an approval may wait before it denies.
    public var approvalTimeout: TimeInterval

    public init(endpoint: RelayEndpoint, fleet: String, home: String, hostname: String = "jarvis",
                httpHost: String = "127.0.0.1", httpPort: Int = 7480, promptPath: String? = nil,
                definitionsDirectory: String? = nil,
                budget: RunBudget = RunBudget(), approvalTimeout: TimeInterval = 600) {
        self.endpoint = endpoint
        self.fleet = fleet
        self.hostname = hostname
        self.home = home
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.promptPath = promptPath
        self.definitionsDirectory = definitionsDirectory
        self.budget = budget
        self.approvalTimeout = approvalTimeout
    }

    public var identityPath: String { home + "/jarvis_keypair.bin" }
    public var policyPath: String { home + "/permissions.yaml" }
    public var auditPath: String { home + "/audit.db" }
}
