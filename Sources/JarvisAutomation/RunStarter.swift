import Foundation
import JarvisCore
import JarvisRuntime
import JarvisTriggers

/// Starts the runs of triggers and webhooks on jarvis: each in its own session (whose id is the
/// run's, so a retried start makes neither a second session nor a second run), gated and audited
/// like a chat, and visible to `cmdop chat --session ID` and the HTTP API.
struct RunStarter: Sendable {
    let service: JarvisService

    /// Starts run `runID` (idempotent) and returns at once.
    func start(runID: String, title: String, actor: String, prompt: String, targets: TargetSelection,
               limits: RunLimits, model: String?) async throws {
        _ = try service.sessions.createSession(fleetID: service.settings.fleetID, title: title, id: runID)
        var allowed: [String]?
        if case .machines(let names) = targets { allowed = names }
        try await service.post(Self.prompt(prompt, targets: targets), to: runID, actor: actor, runID: runID,
                               budget: Self.budget(limits, default: service.settings.budget), model: model, targets: allowed)
    }

    /// Waits for run `runID` to end; cancelling the waiting task cancels the run.
    func outcome(of runID: String, started: ContinuousClock.Instant) async -> FireOutcome {
        let ended = await withTaskCancellationHandler {
            await service.result(of: runID).map { ("\($0.stop)", $0.stop) }
        } onCancel: {
            Task { await service.cancel(runID) }
        }
        let duration = ContinuousClock.now - started
        guard let (text, stop) = ended else {
            // Not run by this process (resumed elsewhere) or gone: the journal has the last word.
            if let finished = await service.outcome(of: runID) {
                return finished.stop == "answered" ? .succeeded(after: duration) : .failed(finished.stop, after: duration)
            }
            return .failed("the run is not running in this jarvis", after: duration)
        }
        switch stop {
        case .answered: return .succeeded(after: duration)
        case .cancelled: return .cancelled(after: duration)
        default: return .failed(text, after: duration)
        }
    }

    /// The prompt with the machines it is about, when the definition names them.
    static func prompt(_ prompt: String, targets: TargetSelection) -> String {
        switch targets {
        case .all: prompt + "\n\nTargets: every machine of the fleet."
        case .machines(let names): prompt + "\n\nTargets: \(names.joined(separator: ", ")) (names or prefixes); jarvis refuses any other machine in this run."
        }
    }

    static func budget(_ limits: RunLimits, default base: RunBudget) -> RunBudget {
        RunBudget(maxTurns: limits.maxTurns ?? base.maxTurns, maxTokens: limits.maxTokens ?? base.maxTokens,
                  maxCost: limits.maxCost ?? base.maxCost, maxWallTime: limits.timeout ?? base.maxWallTime)
    }
}
