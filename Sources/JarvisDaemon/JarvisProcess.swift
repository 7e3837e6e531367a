import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopProviders
import CmdopStorage
import Foundation
import Hummingbird
import JarvisApprovals
import JarvisAudit
import JarvisAutomation
import JarvisCore
import JarvisHTTP
import JarvisRuntime
import JarvisSessions
import JarvisTools
import JarvisTriggers
import Logging

/// jarvis as a process: joins the relay as an ordinary participant with its own identity (no back
/// door, even inside `cmdop up`), serves its asks' model calls, resumes the runs a previous process
/// left open, and serves the HTTP API. When the relay stream drops it re-connects with back-off;
/// runs stay open in the journal and resume on the new stream. The HTTP listener and the webhook
/// intake live as long as the process: while jarvis re-connects, webhooks are still verified,
/// stored and answered 202 (their runs start on the new stream) and the rest of the API answers 503.
public struct JarvisProcess: Sendable {
    public let configuration: JarvisConfiguration
    public let provider: any LLMProvider
    /// Turns a run's model reference (`@fast`, a provider name) into a provider; nil when only one model is known.
    public let modelResolver: (@Sendable (String) throws -> any LLMProvider)?
    public let logger: Logger
    /// Sends the signed approval notifications `jarvis.yaml` asks for (it needs an HTTP transport).
    public let makeNotifier: @Sendable (_ url: String, _ secret: String) -> SignedNotifier?

    public init(configuration: JarvisConfiguration, provider: any LLMProvider,
                modelResolver: (@Sendable (String) throws -> any LLMProvider)? = nil, logger: Logger,
                makeNotifier: @escaping @Sendable (_ url: String, _ secret: String) -> SignedNotifier? = { _, _ in nil }) {
        self.configuration = configuration
        self.provider = provider
        self.modelResolver = modelResolver
        self.logger = logger
        self.makeNotifier = makeNotifier
    }

    /// Runs until cancelled. `onReady` gets the HTTP port each time the whole API is served (on every
    /// connection to the relay; the port stays the same).
    /// - Throws: `JarvisStartError` for a setting re-connecting cannot fix; `StoreError` when another
    ///   jarvis uses the same `home` or a store cannot open.
    public func run(onReady: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try configuration.validate()
        // One jarvis per home: the newest de-duplication keys and the scheduler live in its memory.
        let lock = try ProcessLock(path: configuration.lockPath, holder: "jarvis")
        defer { lock.release() }
        let (identity, _) = try IdentityFile.loadOrCreate(at: configuration.identityPath)
        let policy = try JarvisPolicyFile.load(path: configuration.policyPath)
        let defaults = try ServiceDefaults.load(path: configuration.defaultsPath)
        let budget = RunBudget(maxTurns: defaults.budget.maxTurns ?? configuration.budget.maxTurns,
                               maxTokens: defaults.budget.maxTokens ?? configuration.budget.maxTokens,
                               maxCost: defaults.budget.maxCost ?? configuration.budget.maxCost,
                               maxWallTime: defaults.budget.timeout ?? configuration.budget.maxWallTime)
        let notifier = defaults.notifyURL.flatMap { url in defaults.notifySecret.flatMap { makeNotifier(url, $0) } }
        let prompt = try configuration.promptPath.map(SystemPrompt.load(path:)) ?? SystemPrompt.builtIn
        let home = configuration.home
        let sessions = try SessionStore(path: home + "/sessions.db")
        let audit = try AuditChain(path: configuration.auditPath)
        let journal = try RunJournal(path: home + "/journal.db")
        let approvals = try ApprovalStore(path: home + "/approvals.db", forbidSelfApproval: !defaults.selfApproval)
        let grants = ModelGrants()
        let credentials = MachineCredentials(identity: identity, role: .jarvis, fleet: configuration.fleet,
                                             hostname: configuration.hostname, capabilities: ["model"])
        let intake = try automationConfiguration.map(Automation.makeIntake)
        let responder = SwitchableResponder(intake: intake)
        let http = JarvisHTTPServer()
        let port: Int
        do {
            port = try await http.start(responder: responder, host: configuration.httpHost, port: configuration.httpPort, logger: logger)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw JarvisStartError("cannot serve the HTTP API on \(configuration.httpHost):\(configuration.httpPort) (\(error)); pick another address with --http")
        }
        let link = Link(intake: intake, responder: responder, port: port)
        var attempt = 0
        let connected = Locked(false)
        while !Task.isCancelled {
            connected.withLock { $0 = false }
            do {
                try await MeshClient.connect(to: configuration.endpoint, credentials: .machine(credentials),
                                             serving: ModelServer(provider: provider, grants: grants).handle) { client in
                    connected.withLock { $0 = true }
                    let service = JarvisService(
                        settings: JarvisSettings(fleetID: client.welcome.fleet, fleetName: client.welcome.fleet,
                                                 systemPrompt: prompt, policy: policy, budget: budget,
                                                 approvalTimeout: defaults.approvalTimeout, approvalTimeouts: defaults.ruleTimeouts,
                                                 notifier: notifier),
                        provider: provider, client: client, sessions: sessions, audit: audit, journal: journal,
                        approvals: approvals, grants: grants, modelResolver: modelResolver)
                    try await serve(service, client: client, link: link, onReady: onReady)
                }
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                if connected.value { attempt = 0 }  // a stream that was up starts the back-off over
                let delay = Duration.milliseconds(min(500 << min(attempt, 6), 30_000))
                attempt += 1
                logger.warning("jarvis lost the relay; re-connecting", metadata: ["jarvis.error": "\(error)", "jarvis.retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
        await http.stop()
    }

    /// What outlives each relay connection: the webhook intake, the HTTP responder, its port.
    private struct Link {
        let intake: WebhookIntake?
        let responder: SwitchableResponder
        let port: Int
    }

    private var automationConfiguration: AutomationConfiguration? {
        configuration.definitionsDirectory.map { root in
            AutomationConfiguration(triggersDirectory: root + "/Triggers", webhooksDirectory: root + "/Webhooks",
                                    promptsDirectory: root + "/Prompts", stateDirectory: configuration.home)
        }
    }

    private func serve(_ service: JarvisService, client: MeshClient, link: Link, onReady: @escaping @Sendable (Int) -> Void) async throws {
        // Built before any run resumes: a store that cannot open leaves nothing running behind.
        let automation = try automationConfiguration.map { automation in
            try Automation(configuration: automation, service: service, intake: link.intake, logger: logger)
        }
        let resumed = try service.resumeOpenRuns()
        if !resumed.isEmpty { logger.notice("resumed runs left open", metadata: ["jarvis.runs": "\(resumed.count)"]) }
        let router = Router()
        JarvisAPI(service: service, client: client, automation: automation).register(on: router)
        link.responder.serve(router)
        onReady(link.port)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let automation { group.addTask { try await automation.run() } }
                // Until cancelled or the relay stream ends (the client's requests then fail).
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(5))
                        _ = try await client.machines()
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            // Offline first: no request reaches this service while it stops (a run it started then would
            // escape the stop and run again on the next connection).
            link.responder.serveOffline()
            await service.stop()
            throw error
        }
        link.responder.serveOffline()
        await service.stop()
    }
}
