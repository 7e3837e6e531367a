/// What the launcher reports when a fired run ends: how it ended and how long it took.
public struct FireOutcome: Sendable, Hashable {
    /// How the run ended.
    public var outcome: RunOutcome
    /// Wall time from the launcher call to the end of the run.
    public var duration: Duration

    /// Creates an outcome.
    public init(_ outcome: RunOutcome, duration: Duration) {
        self.outcome = outcome
        self.duration = duration
    }

    /// A run that finished its work after `duration`.
    public static func succeeded(after duration: Duration) -> FireOutcome { FireOutcome(.succeeded, duration: duration) }

    /// A run that failed after `duration`, with the reason to show in history and health.
    public static func failed(_ reason: String, after duration: Duration) -> FireOutcome {
        FireOutcome(.failed(reason: reason), duration: duration)
    }

    /// A run that was stopped after `duration`.
    public static func cancelled(after duration: Duration) -> FireOutcome { FireOutcome(.cancelled, duration: duration) }
}
