import Foundation
import JarvisTriggers
import Synchronization

/// A fresh folder under the system temp directory, removed when the value is deinitialised.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("jarvis-triggers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `relative` (creating folders) and returns the full path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let full = (path as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    func sub(_ relative: String) -> String { (path as NSString).appendingPathComponent(relative) }
}

enum Dates {
    static func at(_ text: String) -> Date {
        guard let date = try? Date(text, strategy: .iso8601) else { fatalError("bad test date \(text)") }
        return date
    }

    static func iso(_ date: Date?) -> String { date.map { $0.formatted(.iso8601) } ?? "nil" }
}

/// A launcher that records every fire. Ungated, it answers from `outcomes` at once; gated, each run
/// waits until the test calls `release` (or its task is cancelled, which answers `cancelled`).
final class LauncherProbe: Sendable {
    private struct State {
        var fires: [TriggerFire] = []
        var gates: [String: CheckedContinuation<FireOutcome, Never>] = [:]
        var cancelled: Set<String> = []
        var early: [String: FireOutcome] = [:]
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let gated: Bool
    private let outcomes: @Sendable (Int) -> FireOutcome

    init(gated: Bool = false, outcomes: @escaping @Sendable (Int) -> FireOutcome = { _ in .succeeded(after: .milliseconds(5)) }) {
        self.gated = gated
        self.outcomes = outcomes
    }

    var launcher: TriggerScheduler.Launcher { { fire in await self.launch(fire) } }

    var fires: [TriggerFire] { state.withLock { $0.fires } }

    private func launch(_ fire: TriggerFire) async -> FireOutcome {
        let (index, ready) = state.withLock { state -> (Int, [CheckedContinuation<Void, Never>]) in
            state.fires.append(fire)
            let count = state.fires.count
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return (count - 1, ready)
        }
        ready.forEach { $0.resume() }
        guard gated else { return outcomes(index) }
        let runID = fire.runID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<FireOutcome, Never>) in
                let immediate = state.withLock { state -> FireOutcome? in
                    if state.cancelled.remove(runID) != nil { return .cancelled(after: .zero) }
                    if let early = state.early.removeValue(forKey: runID) { return early }
                    state.gates[runID] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let gate = state.withLock { state -> CheckedContinuation<FireOutcome, Never>? in
                guard let gate = state.gates.removeValue(forKey: runID) else {
                    state.cancelled.insert(runID)
                    return nil
                }
                return gate
            }
            gate?.resume(returning: .cancelled(after: .milliseconds(1)))
        }
    }

    /// Ends the gated run `runID` with `outcome`.
    func release(_ runID: String, _ outcome: FireOutcome = .succeeded(after: .milliseconds(20))) {
        let gate = state.withLock { state -> CheckedContinuation<FireOutcome, Never>? in
            guard let gate = state.gates.removeValue(forKey: runID) else {
                state.early[runID] = outcome
                return nil
            }
            return gate
        }
        gate?.resume(returning: outcome)
    }

    /// Waits (up to 40 s, a hang catcher) until at least `count` fires reached the launcher; returns them all.
    @discardableResult
    func waitForFires(_ count: Int) async -> [TriggerFire] {
        let timeout = Task { [weak self] in
            guard (try? await Task.sleep(for: .seconds(40))) != nil else { return }
            self?.releaseWaiters()
        }
        defer { timeout.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.fires.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
        return fires
    }

    private func releaseWaiters() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.waiters = [] }
            return state.waiters.map(\.continuation)
        }
        waiters.forEach { $0.resume() }
    }
}

/// A scheduler on a manual clock with its loop running, over a SQLite file.
struct SchedulerHarness {
    let clock: ManualClock
    let store: TriggerStore
    let scheduler: TriggerScheduler
    let probe: LauncherProbe
    let loop: Task<Void, any Error>

    static func start(_ definitions: [TriggerDefinition], at start: Date, storePath: String,
                      probe: LauncherProbe = LauncherProbe()) async throws -> SchedulerHarness {
        let clock = ManualClock(now: start)
        let store = try TriggerStore(path: storePath)
        let scheduler = try TriggerScheduler(definitions: definitions, store: store, clock: clock, launcher: probe.launcher)
        let loop = Task { try await scheduler.run() }
        await clock.waitUntilSleeping()
        return SchedulerHarness(clock: clock, store: store, scheduler: scheduler, probe: probe, loop: loop)
    }

    /// Stops the loop, lets runs in progress end, and returns.
    func stop() async {
        loop.cancel()
        _ = try? await loop.value
        await scheduler.waitUntilIdle()
    }

    func nextFire(_ name: String) async -> Date? {
        await scheduler.list().first { $0.definition.name == name }?.nextFire
    }
}

/// Finds the example definitions: `examples/` in the staging package, or the repository root.
enum Examples {
    static func root(file: String = #filePath) -> String? {
        var directory = (file as NSString).deletingLastPathComponent
        while directory.count > 1 {
            for candidate in ["examples", "."] {
                let base = (directory as NSString).appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: (base as NSString).appendingPathComponent("Triggers/nightly-health.yaml")) {
                    return (base as NSString).standardizingPath
                }
            }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return nil
    }
}
