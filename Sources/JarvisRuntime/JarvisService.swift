public import CmdopMesh
public import CmdopPermissions
public import CmdopProviders
public import JarvisApprovals
public import JarvisAudit
public import JarvisCore
public import JarvisSessions
public import JarvisTools
public import Foundation
import Synchronization

/// A run named a model that is not configured.
public struct ModelReferenceError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// A message was posted to a session whose run is still working.
public struct SessionBusy: Error, Sendable, CustomStringConvertible {
    public let runID: String
    public var description: String {
        "run \(runID) is still working in this session; wait for its run_finished event or use a new session"
    }
}

/// What one jarvis serves with: its fleet, prompt, policy and limits.
public struct JarvisSettings: Sendable {
    public var fleetID: String
    public var fleetName: String
    public var systemPrompt: SystemPrompt
    public var policy: PermissionPolicy
    public var budget: RunBudget
    /// How long an approval may wait before it denies.
    public var approvalTimeout: TimeInterval
    /// Per `ask` rule (as written in the policy), how long its approvals may wait.
    public var approvalTimeouts: [String: TimeInterval]
    public var notifier: SignedNotifier?

    public init(fleetID: String, fleetName: String, systemPrompt: SystemPrompt, policy: PermissionPolicy,
                budget: RunBudget = RunBudget(), approvalTimeout: TimeInterval = 600,
                approvalTimeouts: [String: TimeInterval] = [:], notifier: SignedNotifier? = nil) {
        self.approvalTimeouts = approvalTimeouts
        self.fleetID = fleetID
        self.fleetName = fleetName
        self.systemPrompt = systemPrompt
        self.policy = policy
        self.budget = budget
        self.approvalTimeout = approvalTimeout
        self.notifier = notifier
    }
}

/// jarvis's runs: a message posted to a session starts a run that goes on without any client,
/// journalled, gated, recorded into the session and the audit chain; after a restart, open runs
/// resume from the journal.
public final class JarvisService: Sendable {
    public let settings: JarvisSettings
    let provider: any LLMProvider
    let client: MeshClient
    public let sessions: SessionStore
    public let audit: AuditChain
    public let journal: RunJournal
    public let approvals: ApprovalStore
    /// The model calls of asks in flight (serve them with a `ModelServer` on `client`).
    public let grants: ModelGrants
    /// Turns a run's model reference (`@fast`, a provider name) into a provider; nil passes it on as a model name.
    let modelResolver: (@Sendable (String) throws -> any LLMProvider)?
    private let running = Mutex<[String: Task<RunResult, Never>]>([:])
    private let beginning = Mutex(())
    private let recent = Mutex<[(String, RunResult)]>([])
    static let recentLimit = 256

    public init(settings: JarvisSettings, provider: any LLMProvider, client: MeshClient, sessions: SessionStore,
                audit: AuditChain, journal: RunJournal, approvals: ApprovalStore, grants: ModelGrants = ModelGrants(),
                modelResolver: (@Sendable (String) throws -> any LLMProvider)? = nil) {
        self.grants = grants
        self.modelResolver = modelResolver
        self.settings = settings
        self.provider = provider
        self.client = client
        self.sessions = sessions
        self.audit = audit
        self.journal = journal
        self.approvals = approvals
    }

    /// Starts a run for `message` in session `sessionID` (of this jarvis's fleet) and returns its id
    /// at once; the run continues the session's conversation.
    /// - Parameters:
    ///   - runID: the run's id when the caller chose it already (a webhook's 202 carried it); a run
    ///     with this id that exists is not started again — posting is idempotent on it.
    ///   - budget: limits for this run (default: the service's).
    ///   - model: a model reference for this run (`@fast`, a provider name, a model name).
    /// - Throws: `SessionNotFound` for a session of another fleet.
    @discardableResult
    public func post(_ message: String, to sessionID: String, actor: String, runID: String? = nil,
                     budget: RunBudget? = nil, model: String? = nil, targets: [String]? = nil,
                     exclusive: Bool = false) async throws -> String {
        _ = try sessions.session(sessionID, fleetID: settings.fleetID)
        let runID = runID ?? UUID().uuidString.lowercased()
        if try journal.status(runID) != nil { return runID }
        if let model, let modelResolver {
            do { _ = try modelResolver(model) } catch {
                throw ModelReferenceError(description: "model '\(model)' is not configured (\(error)); use an alias or provider from providers.yaml")
            }
        }
        let machines = (try? await client.machines()) ?? []
        let system = settings.systemPrompt.render(fleet: settings.fleetName, machines: machines)
        // Checking the session and recording the run happen under one lock: two messages posted at
        // once cannot both start a run, and one run id cannot start twice.
        let started = try beginning.withLock { _ -> Bool in
            if try journal.status(runID) != nil { return false }
            if exclusive, let busy = try journal.runs(fleetID: settings.fleetID, sessionID: sessionID).first(where: { $0.status == "running" }) {
                throw SessionBusy(runID: busy.id)
            }
            let messages = [ChatMessage.system(system)] + (try journal.conversation(ofSession: sessionID)) + [.user(message)]
            _ = try journal.begin(runID: runID, fleetID: settings.fleetID, sessionID: sessionID, actor: actor,
                                  messages: messages, budget: budget, model: model, targets: targets)
            return true
        }
        guard started, let checkpoint = try journal.checkpoint(runID) else { return runID }
        let recorder = RunRecorder(sessions: sessions, audit: audit, sessionID: sessionID, runID: runID, actor: actor)
        try recorder.begin(prompt: message)
        start(runID, checkpoint: checkpoint, recorder: recorder, actor: actor)
        return runID
    }

    /// Resumes every run the journal holds open (after a restart); returns their ids.
    public func resumeOpenRuns() throws -> [String] {
        var resumed: [String] = []
        for runID in try journal.openRuns() {
            guard let owner = try journal.owner(of: runID), owner.fleetID == settings.fleetID,
                  let checkpoint = try journal.checkpoint(runID) else { continue }
            let recorder = RunRecorder(sessions: sessions, audit: audit, sessionID: owner.sessionID, runID: runID,
                                       actor: owner.actor)
            start(runID, checkpoint: checkpoint, recorder: recorder, actor: owner.actor)
            resumed.append(runID)
        }
        return resumed
    }

    /// Waits for run `runID` to end; nil for a run this process is not running.
    public func result(of runID: String) async -> RunResult? {
        if let task = running.withLock({ $0[runID] }) { return await task.value }
        return recent.withLock { $0.last { $0.0 == runID }?.1 }
    }

    /// Ends run `runID` for good (a trigger's cancel-previous, an operator's cancel): unlike `stop()`,
    /// the run is closed in the journal and its session, so it is not resumed.
    public func cancel(_ runID: String) async {
        guard let task = running.withLock({ $0[runID] }) else { return }
        task.cancel()
        let result = await task.value
        guard result.stop == .cancelled, let owner = try? journal.owner(of: runID) else { return }
        journal.entry(runID).runFinished(.cancelled, answer: "", messages: result.messages)
        let recorder = RunRecorder(sessions: sessions, audit: audit, sessionID: owner.sessionID, runID: runID, actor: owner.actor)
        try? recorder.end(result)
    }

    /// How run `runID` ended: waits for it while this process runs it, else what the journal says;
    /// nil for an unknown run or one still open in another process.
    public func outcome(of runID: String) async -> (stop: String, answer: String)? {
        if let result = await result(of: runID) { return ("\(result.stop)", result.answer) }
        return finishedOutcome(of: runID)
    }

    /// How run `runID` ended, without waiting: nil while it is still going (or unknown).
    public func finishedOutcome(of runID: String) -> (stop: String, answer: String)? {
        if let result = recent.withLock({ $0.last { $0.0 == runID }?.1 }) { return ("\(result.stop)", result.answer) }
        guard let summary = try? journal.run(runID, fleetID: settings.fleetID), summary.status == "finished" else { return nil }
        return (summary.stop ?? "", summary.answer ?? "")
    }

    /// Stops every run where it stands (as a shutdown does); the journal keeps them open for a resume.
    public func stop() async {
        let tasks = running.withLock { Array($0.values) }
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.value }
    }

    /// The provider and model name for a run's model reference: an alias or provider name the
    /// resolver knows picks that provider; anything else is a model name on the default provider.
    private func resolve(_ model: String?) -> (any LLMProvider, String?) {
        guard let model else { return (provider, nil) }
        if let resolver = modelResolver, let resolved = try? resolver(model) { return (resolved, nil) }
        // Checked when the run was posted; a reference that stopped resolving since falls back here.
        // An alias nobody configured (`@fast` with a single local model) means the default model.
        return (provider, model.hasPrefix("@") ? nil : model)
    }

    private func start(_ runID: String, checkpoint: RunCheckpoint, recorder: RunRecorder, actor: String) {
        let approvals = OnCallApprovals(store: approvals, fleetID: settings.fleetID, runID: runID, requestedBy: actor,
                                        timeout: settings.approvalTimeout, notifier: settings.notifier,
                                        onChange: recorder.approvalChanged)
        let runSettings = (try? journal.settings(of: runID)) ?? RunJournal.RunSettings()
        let gate = JarvisGate(policy: settings.policy, approvals: approvals, targets: runSettings.targets,
                              askTimeouts: settings.approvalTimeouts, onDecision: recorder.gateDecided)
        let (budget, model) = (runSettings.budget, runSettings.model)
        let (runProvider, modelName) = resolve(model)
        let loop = AgentLoop(provider: runProvider, tools: FleetTools.all(client: client, gate: gate, grants: grants),
                             budget: budget ?? settings.budget, model: modelName, journal: journal.entry(runID))
        running.withLock { running in
            running[runID] = Task {
                let result = await loop.resume(checkpoint, onEvent: recorder.observe)
                if result.stop != .cancelled { try? recorder.end(result) }
                return result
            }
            // A finished run leaves the table for a short list of recent results (the journal keeps all).
            let task = running[runID]
            Task { [weak self] in
                guard let result = await task?.value else { return }
                self?.recent.withLock { recent in
                    recent.append((runID, result))
                    if recent.count > Self.recentLimit { recent.removeFirst(recent.count - Self.recentLimit) }
                }
                _ = self?.running.withLock { $0.removeValue(forKey: runID) }
            }
        }
    }
}
