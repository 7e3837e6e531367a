import Foundation

/// A trigger's health, as `cmdop trigger health` shows it (NAME STATUS LAST-RUN OUTCOME NEXT-FIRE FAILS).
public struct TriggerHealth: Sendable, Hashable {
    /// The trigger's name.
    public let name: String
    /// Whether it is enabled (a stored enable/disable beats the file).
    public let isEnabled: Bool
    /// Whether a run of it is in progress now.
    public let isRunning: Bool
    /// How its last finished run ended; nil when none has finished.
    public let lastOutcome: RunOutcome?
    /// When its last run finished.
    public let lastFinishedAt: Date?
    /// When it fires next; nil when disabled or when its schedule never fires again.
    public let nextFire: Date?
    /// Failed runs since the last success (cancelled runs neither count nor reset).
    public let consecutiveFailures: Int
}
