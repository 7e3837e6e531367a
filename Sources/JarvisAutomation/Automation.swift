import Foundation
import JarvisRuntime
import JarvisTriggers
import Logging
import Synchronization

/// Where jarvis's automation comes from: the definition folders, and where its state lives.
public struct AutomationConfiguration: Sendable {
    public var triggersDirectory: String?
    public var webhooksDirectory: String?
    public var promptsDirectory: String?
    /// `triggers.db` (history, state) and `deliveries.db` (webhook deliveries) go here.
    public var stateDirectory: String
    /// How often the folders are checked for changes (SIGHUP reloads at once).
    public var reloadInterval: Duration
    public var environment: [String: String]

    public init(triggersDirectory: String?, webhooksDirectory: String?, promptsDirectory: String?, stateDirectory: String,
                reloadInterval: Duration = .seconds(2), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.triggersDirectory = triggersDirectory
        self.webhooksDirectory = webhooksDirectory
        self.promptsDirectory = promptsDirectory
        self.stateDirectory = stateDirectory
        self.reloadInterval = reloadInterval
        self.environment = environment
    }
}

/// jarvis's triggers and webhooks: the scheduler fires `Triggers/*.yaml`, the intake stores signed
/// deliveries for `Webhooks/*.yaml`, and both become runs on `JarvisService`. Definitions reload when
/// their files change (or on SIGHUP) without dropping in-flight work; a file that stops being valid
/// keeps its last good definition and its errors are reported.
public final class Automation: Sendable {
    public let configuration: AutomationConfiguration
    public let scheduler: TriggerScheduler
    public let intake: WebhookIntake
    public let triggerStore: TriggerStore
    let dispatcher: DeliveryDispatcher
    let starter: RunStarter
    let logger: Logger
    private let current: Mutex<DefinitionLoader.Result>

    /// The webhook intake over `deliveries.db` in the state folder, with the definitions loaded now.
    /// jarvis keeps one for the life of its process, so webhooks are taken while it re-connects to its relay.
    /// - Throws: `StoreError` when the store cannot be opened.
    public static func makeIntake(_ configuration: AutomationConfiguration) throws -> WebhookIntake {
        try makeIntake(configuration, definitions: load(configuration).webhooks)
    }

    private static func makeIntake(_ configuration: AutomationConfiguration, definitions: [WebhookDefinition]) throws -> WebhookIntake {
        WebhookIntake(definitions: definitions, store: try DeliveryStore(path: configuration.stateDirectory + "/deliveries.db"))
    }

    /// Loads the definitions and opens the stores; nothing fires until `run()`.
    /// - Parameter intake: an intake made by `makeIntake` to use (its definitions are reloaded, a file
    ///   broken now keeping the hooks it had), or nil for a new one.
    /// - Throws: `StoreError` when a store cannot be opened.
    public init(configuration: AutomationConfiguration, service: JarvisService, intake given: WebhookIntake? = nil,
                clock: any SchedulerClock = SystemClock(), logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        var loaded = Self.load(configuration)
        if let given {
            // A delivery taken while jarvis re-connected must still find its hook, even if its file broke meanwhile.
            loaded = Self.keepingLastGood(loaded, triggers: [], webhooks: given.hooks.compactMap(given.definition))
        }
        current = Mutex(loaded)
        let starter = RunStarter(service: service)
        self.starter = starter
        triggerStore = try TriggerStore(path: configuration.stateDirectory + "/triggers.db")
        scheduler = try TriggerScheduler(definitions: loaded.triggers, store: triggerStore, clock: clock) { fire in
            let started = ContinuousClock.now
            do {
                try await starter.start(
                    runID: fire.runID, title: "trigger \(fire.triggerName) · \(fire.kind.rawValue) · \(ISO8601DateFormatter().string(from: fire.scheduledFor))",
                    actor: "trigger:\(fire.triggerName)", prompt: fire.definition.prompt, targets: fire.definition.targets,
                    limits: fire.definition.limits, model: fire.definition.model)
            } catch {
                return .failed("the run could not start: \(error)", after: ContinuousClock.now - started)
            }
            return await starter.outcome(of: fire.runID, started: started)
        }
        given?.reload(loaded.webhooks)
        intake = try given ?? Self.makeIntake(configuration, definitions: loaded.webhooks)
        dispatcher = DeliveryDispatcher(store: intake.store, starter: starter, logger: logger)
        report(loaded)
    }

    /// The definition errors of the last load (file, line, key, fix).
    public var errors: [DefinitionError] { current.withLock { $0.errors } }

    /// Runs the scheduler, the delivery dispatcher and the folder watcher until cancelled.
    public func run() async throws {
        let watcher = DefinitionsWatcher(
            directories: [configuration.triggersDirectory, configuration.webhooksDirectory, configuration.promptsDirectory].compactMap { $0 },
            interval: configuration.reloadInterval)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.scheduler.run() }
            group.addTask { [intake] in await self.dispatcher.run { intake.definition($0) } }
            group.addTask { await watcher.run { await self.reload() } }
            group.addTask { [intake] in
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(3600))
                    _ = try? intake.pruneDeliveries()
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// A delivery was just stored: start its run without waiting for the next poll.
    public func deliveryAccepted() { dispatcher.poke() }

    /// Waits up to `timeout` for run `runID` to end; its stop and answer, or nil when still running.
    public func answer(of runID: String, within timeout: Duration) async -> (stop: String, answer: String)? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let outcome = starter.service.finishedOutcome(of: runID) { return outcome }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Re-reads the folders; a file with errors keeps its last good definitions.
    public func reload() async {
        let fresh = Self.load(configuration)
        let merged = current.withLock { previous -> DefinitionLoader.Result in
            previous = Self.keepingLastGood(fresh, triggers: previous.triggers, webhooks: previous.webhooks)
            return previous
        }
        await scheduler.reload(merged.triggers)
        intake.reload(merged.webhooks)
        logger.notice("reloaded triggers and webhooks",
                      metadata: ["jarvis.triggers": "\(merged.triggers.count)", "jarvis.webhooks": "\(merged.webhooks.count)",
                                 "jarvis.errors": "\(merged.errors.count)"])
        report(merged)
    }

    /// `fresh`, plus the earlier definitions from files that have errors now (a file that stops being
    /// valid keeps its last good definitions).
    static func keepingLastGood(_ fresh: DefinitionLoader.Result, triggers: [TriggerDefinition],
                                webhooks: [WebhookDefinition]) -> DefinitionLoader.Result {
        let broken = Set(fresh.errors.map(\.file))
        var result = fresh
        let triggerNames = Set(result.triggers.map(\.name))
        result.triggers += triggers.filter { broken.contains($0.file ?? "") && !triggerNames.contains($0.name) }
        let hookNames = Set(result.webhooks.map(\.name))
        result.webhooks += webhooks.filter { broken.contains($0.file ?? "") && !hookNames.contains($0.name) }
        return result
    }

    /// Errors as errors; a hook that is valid but disabled (its secret is not set) as a warning with the fix.
    private func report(_ loaded: DefinitionLoader.Result) {
        for error in loaded.errors { logger.error("\(error.description)") }
        for hook in loaded.webhooks {
            if let reason = hook.disabledReason { logger.warning("webhook \(hook.name) (POST \(hook.route)) is \(reason)") }
        }
    }

    static func load(_ configuration: AutomationConfiguration) -> DefinitionLoader.Result {
        DefinitionLoader.load(triggersDirectory: configuration.triggersDirectory, webhooksDirectory: configuration.webhooksDirectory,
                              promptsDirectory: configuration.promptsDirectory, environment: configuration.environment)
    }
}
