import Foundation
import GRDB

/// Row mapping and single changes for `TriggerStore`.
extension TriggerStore {
    static func ensureState(_ db: Database, _ trigger: String) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO trigger_state (name) VALUES (?)", arguments: [trigger])
    }

    static func apply(_ change: Change, _ db: Database) throws {
        switch change {
        case .run(let fire, let startedAt):
            try db.execute(sql: """
                INSERT INTO trigger_history (trigger, scheduled_for, started_at, outcome, run_id, kind) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [fire.triggerName, fire.scheduledFor.timeIntervalSince1970, startedAt?.timeIntervalSince1970,
                                 startedAt == nil ? "queued" : "running", fire.runID, fire.kind.rawValue])
        case .started(let runID, let at):
            try db.execute(sql: "UPDATE trigger_history SET outcome = 'running', started_at = ? WHERE run_id = ?",
                           arguments: [at.timeIntervalSince1970, runID])
        case .finished(let trigger, let runID, let outcome, let at, let duration):
            let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
            try db.execute(sql: """
                UPDATE trigger_history SET outcome = ?, reason = ?, finished_at = ?, duration_ms = ? WHERE run_id = ?
                """, arguments: [outcome.label, outcome.reason, at.timeIntervalSince1970, milliseconds, runID])
            try ensureState(db, trigger)
            let failures: String = switch outcome {
            case .succeeded: "0"
            case .failed: "consecutive_failures + 1"
            case .cancelled: "consecutive_failures"
            }
            try db.execute(sql: """
                UPDATE trigger_state SET last_outcome = ?, last_reason = ?, last_finished_at = ?,
                    consecutive_failures = \(failures) WHERE name = ?
                """, arguments: [outcome.label, outcome.reason, at.timeIntervalSince1970, trigger])
        case .notRun(let trigger, let scheduledFor, let outcome, let reason, let kind):
            try db.execute(sql: """
                INSERT INTO trigger_history (trigger, scheduled_for, outcome, reason, kind) VALUES (?, ?, ?, ?, ?)
                """, arguments: [trigger, scheduledFor.timeIntervalSince1970, outcome.rawValue, reason, kind.rawValue])
        case .dropped(let runID, let reason):
            try db.execute(sql: "UPDATE trigger_history SET outcome = 'skipped', reason = ? WHERE run_id = ?",
                           arguments: [reason, runID])
        case .lastScheduled(let trigger, let date):
            try ensureState(db, trigger)
            try db.execute(sql: "UPDATE trigger_state SET last_scheduled_for = ? WHERE name = ?",
                           arguments: [date.timeIntervalSince1970, trigger])
        }
    }

    static func state(_ row: Row) -> TriggerState {
        let outcome = (row["last_outcome"] as String?).flatMap { RunOutcome(label: $0, reason: row["last_reason"]) }
        return TriggerState(
            lastScheduledFor: (row["last_scheduled_for"] as Double?).map(Date.init(timeIntervalSince1970:)),
            enabledOverride: (row["enabled_override"] as Int?).map { $0 != 0 },
            lastOutcome: outcome,
            lastFinishedAt: (row["last_finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            consecutiveFailures: row["consecutive_failures"])
    }

    static func entry(_ row: Row) -> TriggerHistoryEntry? {
        guard let outcome = TriggerHistoryEntry.Outcome(rawValue: row["outcome"]) else { return nil }
        return TriggerHistoryEntry(
            trigger: row["trigger"],
            scheduledFor: Date(timeIntervalSince1970: row["scheduled_for"]),
            startedAt: (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            outcome: outcome,
            reason: row["reason"],
            runID: row["run_id"],
            durationMilliseconds: row["duration_ms"],
            kind: TriggerFire.Kind(rawValue: row["kind"]) ?? .scheduled)
    }
}
