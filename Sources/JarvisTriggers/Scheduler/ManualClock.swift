import Foundation
import Synchronization

/// A clock that moves only when a test moves it. `advance(to:)` wakes every sleeper whose deadline
/// has come and then waits until something is asleep again with a deadline still ahead — for the
/// scheduler, that means it has handled every fire due by then.
///
/// ```swift
/// let clock = ManualClock(now: start)
/// let task = Task { try await scheduler.run() }
/// await clock.waitUntilSleeping()
/// await clock.advance(by: 60)        // the fire at start+60 has been decided when this returns
/// ```
public final class ManualClock: SchedulerClock {
    private struct Sleeper {
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [UInt64: Sleeper] = [:]
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        var hasFutureSleeper: Bool { sleepers.values.contains { $0.deadline > now } }
    }

    private let state: Mutex<State>
    /// How long (real time) `advance` and `waitUntilSleeping` wait for a sleeper before giving up.
    public let settleTimeout: Duration

    /// Creates a clock standing at `now`.
    public init(now: Date, settleTimeout: Duration = .seconds(10)) {
        state = Mutex(State(now: now))
        self.settleTimeout = settleTimeout
    }

    public var now: Date { state.withLock { $0.now } }

    /// The deadlines of everything asleep on this clock, earliest first.
    public var sleepingDeadlines: [Date] { state.withLock { $0.sleepers.values.map(\.deadline).sorted() } }

    public func sleep(until deadline: Date) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, idle) = state.withLock { state -> (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) in
                    if state.cancelled.remove(id) != nil { return (.failure(CancellationError()), []) }
                    if deadline <= state.now { return (.success(()), []) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    let waiters = state.idleWaiters
                    state.idleWaiters = []
                    return (nil, waiters)
                }
                idle.forEach { $0.resume() }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock to `date` (never backwards), wakes the sleepers that are due, and waits until
    /// something sleeps again with a deadline after `date` (or `settleTimeout` passes).
    public func advance(to date: Date) async {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, date)
            let now = state.now
            let dueIDs = state.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return dueIDs.compactMap { state.sleepers.removeValue(forKey: $0) }
        }
        due.forEach { $0.continuation.resume() }
        await waitUntilSleeping()
    }

    /// Moves the clock forward by `seconds`; see `advance(to:)`.
    public func advance(by seconds: TimeInterval) async {
        await advance(to: now.addingTimeInterval(seconds))
    }

    /// Waits until something is asleep with a deadline still ahead (or `settleTimeout` passes).
    public func waitUntilSleeping() async {
        let timeout = Task { [weak self, settleTimeout] in
            // A cancelled timeout (the normal case) must not release later waiters.
            guard (try? await Task.sleep(for: settleTimeout)) != nil else { return }
            self?.releaseIdleWaiters()
        }
        defer { timeout.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.hasFutureSleeper { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func releaseIdleWaiters() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        waiters.forEach { $0.resume() }
    }
}
