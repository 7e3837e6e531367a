import Foundation

/// A trigger as `cmdop trigger list` shows it.
public struct TriggerStatus: Sendable {
    /// The definition in force.
    public let definition: TriggerDefinition
    /// Whether it is enabled (a stored enable/disable beats the file).
    public let isEnabled: Bool
    /// The stored enable (true) or disable (false); nil when the file decides.
    public let enabledOverride: Bool?
    /// When it fires next; nil when disabled.
    public let nextFire: Date?
    /// Whether a run is in progress.
    public let isRunning: Bool
    /// Whether a run waits for the current one to end (`overlap: queue`).
    public let hasQueuedRun: Bool
}
