import Foundation

/// The time source the scheduler runs on: wall-clock time (schedules name wall-clock instants) and
/// a sleep until an instant. Injected so tests move time by hand (`ManualClock`).
public protocol SchedulerClock: Sendable {
    /// The current instant.
    var now: Date { get }
    /// Returns once `now` has reached `deadline` (at once if it has already).
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    func sleep(until deadline: Date) async throws
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemClock: SchedulerClock {
    /// Longest single sleep; waking at least this often keeps up with wall-clock changes.
    public var maximumSleep: TimeInterval

    /// Creates the system clock.
    public init(maximumSleep: TimeInterval = 60) { self.maximumSleep = max(maximumSleep, 0.01) }

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return }
            try await Task.sleep(for: .seconds(min(remaining, maximumSleep)))
        }
    }
}
