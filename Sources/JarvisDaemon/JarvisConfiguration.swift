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
    /// `approvals.db`, `audit.db`, and `jarvis.lock` while it runs.
    public var home: String
    public var httpHost: String
    public var httpPort: Int
    /// The system prompt template (`Prompts/system.md`); nil uses the built-in one.
    public var promptPath: String?
    /// The folder holding `Triggers/`, `Webhooks/` and `Prompts/`; nil runs no automation.
    public var definitionsDirectory: String?
    /// Serve the HTTP API on a non-loopback address without TLS (it carries API keys and webhook secrets).
    public var allowPlainHTTP = false
    /// The budget a run gets when neither `jarvis.yaml` nor the run sets one.
    public var budget: RunBudget

    public init(endpoint: RelayEndpoint, fleet: String, home: String, hostname: String = "jarvis",
                httpHost: String = "127.0.0.1", httpPort: Int = 7480, promptPath: String? = nil,
                definitionsDirectory: String? = nil,
                budget: RunBudget = RunBudget()) {
        self.endpoint = endpoint
        self.fleet = fleet
        self.hostname = hostname
        self.home = home
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.promptPath = promptPath
        self.definitionsDirectory = definitionsDirectory
        self.budget = budget
    }

    /// - Throws: `JarvisStartError` for an address that would expose keys in plain text.
    public func validate() throws {
        let loopback = ["127.0.0.1", "::1", "localhost"].contains(httpHost) || httpHost.hasPrefix("127.")
        guard loopback || allowPlainHTTP else {
            throw JarvisStartError("""
                --http \(httpHost):\(httpPort) would carry API keys and webhook secrets unencrypted: serve jarvis's API on \
                127.0.0.1 behind a TLS reverse proxy, or pass --http-plain to accept that
                """)
        }
    }

    public var identityPath: String { home + "/jarvis_keypair.bin" }
    /// Defaults for runs and approvals (`ServiceDefaults`); optional.
    public var defaultsPath: String { home + "/jarvis.yaml" }
    public var policyPath: String { home + "/permissions.yaml" }
    public var auditPath: String { home + "/audit.db" }
    /// Held while a jarvis runs on `home` (`ProcessLock`): a second one on the same folder is refused.
    public var lockPath: String { home + "/jarvis.lock" }
}

/// jarvis cannot start for a reason re-connecting will not fix (an address in use, a store that
/// cannot open, an unsafe setting); the message says what to do.
public struct JarvisStartError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
