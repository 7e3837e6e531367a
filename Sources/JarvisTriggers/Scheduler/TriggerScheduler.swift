import Foundation

/// Fires triggers on their schedules and keeps their state in a `TriggerStore`.
///
/// One sleeping task waits for the earliest fire in a min-heap of next fire times (not one task per
/// trigger), so 10,000 triggers cost one timer. Each fire calls the injected launcher, which returns
/// when the run ends; overlap and missed-run policies, enable/disable and health are applied here.
///
/// ```swift
/// let scheduler = try TriggerScheduler(definitions: loaded.triggers, store: try TriggerStore(path: dbPath)) { fire in
///     await runtime.run(prompt: fire.definition.prompt, runID: fire.runID)   // -> FireOutcome
/// }
/// try await scheduler.run()   // until cancelled
/// ```
/// - Important: `run()` is the scheduler's lifetime: call it once (as a service); cancel its task to
///   stop firing. Runs already started keep going; `cancelRuns()` and `waitUntilIdle()` end them.
public actor TriggerScheduler {
    /// Starts one run and returns when it has ended.
    public typealias Launcher = @Sendable (TriggerFire) async -> FireOutcome

    struct Running {
        let fire: TriggerFire
        let task: Task<Void, Never>
    }

    let store: TriggerStore
    let clock: any SchedulerClock
    let launcher: Launcher
    /// Fires at most this many seconds late at start-up still run normally; older ones are "missed".
    public let missedRunGrace: TimeInterval

    var definitions: [String: TriggerDefinition] = [:]
    var overrides: [String: Bool] = [:]
    var scheduled: [String: FireQueue.Entry] = [:]
    var queue = FireQueue()
    var generation: UInt64 = 0
    var running: [String: Running] = [:]
    var queued: [String: TriggerFire] = [:]
    var hasStarted = false
    var isLooping = false
    var sleepTask: Task<Void, any Error>?
    var idleWaiters: [CheckedContinuation<Void, Never>] = []
    var pendingChanges: [TriggerStore.Change] = []
    var flushTask: Task<Void, Never>?
    /// The last storage failure while firing (history is then incomplete); nil when all writes worked.
    public private(set) var lastStorageError: String?

    /// Creates a scheduler; nothing fires until `run()`.
    /// - Parameters:
    ///   - definitions: the triggers (names must be unique; later duplicates are ignored).
    ///   - store: where history and state live.
    ///   - clock: the time source (`SystemClock()` in production, `ManualClock` in tests).
    ///   - missedRunGrace: how late a fire may be at start-up and still count as due rather than missed.
    ///   - launcher: starts a run and returns its outcome when it ends; it must return promptly once
    ///     its task is cancelled (cancel-previous, `cancelRuns()`).
    /// - Throws: `StoreError` when the stored overrides cannot be read.
    public init(definitions: [TriggerDefinition], store: TriggerStore, clock: any SchedulerClock = SystemClock(),
                missedRunGrace: TimeInterval = 60, launcher: @escaping Launcher) throws {
        self.store = store
        self.clock = clock
        self.missedRunGrace = max(missedRunGrace, 0)
        self.launcher = launcher
        for definition in definitions where self.definitions[definition.name] == nil {
            self.definitions[definition.name] = definition
        }
        overrides = try store.states().compactMapValues(\.enabledOverride)
    }

    /// Fires triggers until the calling task is cancelled. First closes runs a previous process left
    /// open, then applies each trigger's missed-run policy to fires that fell while nothing ran.
    /// - Throws: `TriggerError` when already running; `StoreError` when the store cannot be read at start.
    public func run() async throws {
        guard !isLooping else { throw TriggerError("the scheduler is already running; call run() once") }
        isLooping = true
        defer {
            isLooping = false
            sleepTask = nil
        }
        try startUp()
        while !Task.isCancelled {
            let deadline = nextDeadline()
            let sleeper = Task { [clock] in try await clock.sleep(until: deadline) }
            sleepTask = sleeper
            await withTaskCancellationHandler {
                _ = try? await sleeper.value
            } onCancel: {
                sleeper.cancel()
            }
            sleepTask = nil
            if Task.isCancelled { break }
            fireDue()
        }
    }

    /// Every trigger with its state, by name.
    public func list() -> [TriggerStatus] {
        definitions.values.sorted { $0.name < $1.name }.map { definition in
            TriggerStatus(definition: definition, isEnabled: isEnabled(definition), enabledOverride: overrides[definition.name],
                          nextFire: scheduled[definition.name]?.date, isRunning: running[definition.name] != nil,
                          hasQueuedRun: queued[definition.name] != nil)
        }
    }

    /// The newest `limit` history rows of `name`, newest first.
    /// - Throws: `StoreError` when the store cannot be read.
    public func history(_ name: String, limit: Int = 20) throws -> [TriggerHistoryEntry] {
        flushFinished()
        return try store.history(name, limit: limit)
    }

    /// The health of every trigger, by name.
    /// - Throws: `StoreError` when the store cannot be read.
    public func health() throws -> [TriggerHealth] {
        flushFinished()
        let states = try store.states()
        return definitions.values.sorted { $0.name < $1.name }.map { health(of: $0, state: states[$0.name]) }
    }

    /// The health of one trigger: last outcome, next fire, consecutive failures.
    /// - Throws: `TriggerError` for an unknown name; `StoreError` when the store cannot be read.
    public func health(_ name: String) throws -> TriggerHealth {
        let definition = try known(name)
        flushFinished()
        return health(of: definition, state: try store.state(name))
    }

    /// Returns once no run is in progress or queued.
    public func waitUntilIdle() async {
        guard !running.isEmpty || !queued.isEmpty || flushTask != nil else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    /// Cancels every run in progress and drops queued ones (for shutdown); the launcher decides how
    /// fast its runs stop. Returns at once; `waitUntilIdle()` waits for them.
    public func cancelRuns() {
        var changes: [TriggerStore.Change] = []
        for (_, fire) in queued { changes.append(.dropped(runID: fire.runID, reason: "cancelled before it started")) }
        queued = [:]
        for (_, run) in running { run.task.cancel() }
        persist(changes)
        resumeIdleWaitersIfIdle()
    }

    // MARK: - Internals shared by the extensions

    func isEnabled(_ definition: TriggerDefinition) -> Bool { overrides[definition.name] ?? definition.enabled }

    func known(_ name: String) throws -> TriggerDefinition {
        guard let definition = definitions[name] else {
            let names = definitions.keys.sorted()
            let list = names.isEmpty ? "none are loaded" : "known: \(names.prefix(20).joined(separator: ", "))"
            throw TriggerError("no trigger is named '\(name)' (\(list)); see `cmdop trigger list`")
        }
        return definition
    }

    func health(of definition: TriggerDefinition, state: TriggerStore.TriggerState?) -> TriggerHealth {
        TriggerHealth(name: definition.name, isEnabled: isEnabled(definition), isRunning: running[definition.name] != nil,
                      lastOutcome: state?.lastOutcome, lastFinishedAt: state?.lastFinishedAt,
                      nextFire: scheduled[definition.name]?.date, consecutiveFailures: state?.consecutiveFailures ?? 0)
    }

    /// Puts `name` on the heap at `date` (nil: never again), replacing any earlier entry.
    func schedule(_ name: String, at date: Date?) {
        generation += 1
        guard let date else {
            scheduled[name] = nil
            return
        }
        let entry = FireQueue.Entry(date: date, name: name, generation: generation)
        scheduled[name] = entry
        queue.push(entry)
        if queue.count > 2 * scheduled.count + 64 {
            queue.compact { [scheduled] in scheduled[$0.name]?.generation == $0.generation }
        }
    }

    /// Makes the loop recompute its deadline (after the heap changed).
    func wake() { sleepTask?.cancel() }

    func nextDeadline() -> Date {
        while let top = queue.first, scheduled[top.name]?.generation != top.generation { _ = queue.popFirst() }
        return queue.first?.date ?? .distantFuture
    }

    func resumeIdleWaitersIfIdle() {
        guard running.isEmpty && queued.isEmpty && flushTask == nil else { return }
        let waiters = idleWaiters
        idleWaiters = []
        waiters.forEach { $0.resume() }
    }

    func persist(_ changes: [TriggerStore.Change]) {
        guard !changes.isEmpty else { return }
        do {
            try store.apply(changes)
        } catch {
            lastStorageError = "\(error)"
        }
    }
}
