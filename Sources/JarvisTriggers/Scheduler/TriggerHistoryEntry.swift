import Foundation

/// One row of a trigger's history: a run (queued, running or finished), a skipped fire, or the
/// record of fires missed while the scheduler was down.
public struct TriggerHistoryEntry: Sendable, Hashable {
    /// What happened to the fire.
    public enum Outcome: String, Sendable, Hashable {
        case queued, running, succeeded, failed, cancelled
        /// It came due while a run was in progress (`overlap: skip`, or a run already queued).
        case skipped
        /// Fires fell while the scheduler was down and `missed: skip` ran none of them.
        case missed
    }

    /// The trigger's name.
    public let trigger: String
    /// The instant the schedule named (for `missed`, the first fire missed).
    public let scheduledFor: Date
    /// When the launcher was called; nil for fires that never ran.
    public let startedAt: Date?
    /// When the run ended.
    public let finishedAt: Date?
    /// What happened.
    public let outcome: Outcome
    /// Why it failed, was skipped or missed, in words for the operator.
    public let reason: String?
    /// The run id; nil for fires that never ran.
    public let runID: String?
    /// Launcher-reported run time, in milliseconds.
    public let durationMilliseconds: Int?
    /// Why it fired.
    public let kind: TriggerFire.Kind
}
