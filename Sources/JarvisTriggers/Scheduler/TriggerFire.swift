import Foundation

/// One firing of a trigger, handed to the launcher: which trigger, for which scheduled instant,
/// under which freshly generated run id.
public struct TriggerFire: Sendable {
    /// Why the trigger fired.
    public enum Kind: String, Sendable, Hashable {
        /// Its schedule came due.
        case scheduled
        /// Someone asked for a run now (`cmdop trigger run NAME`).
        case manual
        /// The one catch-up run of `missed: run-once` after the scheduler was down.
        case catchUp = "catch-up"
    }

    /// The trigger's name.
    public let triggerName: String
    /// The instant the schedule named (for manual runs, when the run was asked for).
    public let scheduledFor: Date
    /// A fresh run id (lower-case UUID), also the key of the history row.
    public let runID: String
    /// Why it fired.
    public let kind: Kind
    /// The definition in force when it fired.
    public let definition: TriggerDefinition

    /// Creates a fire; the scheduler makes these, tests and tools may too.
    public init(triggerName: String, scheduledFor: Date, runID: String = UUID().uuidString.lowercased(),
                kind: Kind, definition: TriggerDefinition) {
        self.triggerName = triggerName
        self.scheduledFor = scheduledFor
        self.runID = runID
        self.kind = kind
        self.definition = definition
    }

    /// How late the launcher was called: `now` minus the scheduled instant (fire jitter).
    public func lateness(at now: Date = Date()) -> TimeInterval { now.timeIntervalSince(scheduledFor) }
}
