import CmdopStorage
import Foundation
import GRDB

/// The scheduler's state in SQLite (WAL): history rows, the last scheduled time of each trigger,
/// enable/disable overrides, and the counters behind health.
public final class TriggerStore: Sendable {
    /// One trigger's stored state.
    struct TriggerState: Sendable {
        var lastScheduledFor: Date?
        var enabledOverride: Bool?
        var lastOutcome: RunOutcome?
        var lastFinishedAt: Date?
        var consecutiveFailures: Int = 0
    }

    /// A write the scheduler batches into one transaction.
    enum Change: Sendable {
        /// A run row: `queued` (startedAt nil) or `running`.
        case run(TriggerFire, startedAt: Date?)
        /// A queued run that starts now.
        case started(runID: String, at: Date)
        /// A run that ended.
        case finished(trigger: String, runID: String, outcome: RunOutcome, at: Date, duration: Duration)
        /// A fire that did not run (`skipped` or `missed`).
        case notRun(trigger: String, scheduledFor: Date, outcome: TriggerHistoryEntry.Outcome, reason: String,
                    kind: TriggerFire.Kind)
        /// A queued run that will never start.
        case dropped(runID: String, reason: String)
        /// The last scheduled time handled for a trigger.
        case lastScheduled(trigger: String, Date)
    }

    let database: any DatabaseWriter

    /// Opens (creating and migrating) the store at `path`; `":memory:"` for a private in-memory one.
    /// - Throws: `StoreError` naming the file and what to check.
    public init(path: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: trigger state and history") { db in
            try db.execute(sql: """
                CREATE TABLE trigger_state (
                    name TEXT PRIMARY KEY, last_scheduled_for DOUBLE, enabled_override INTEGER, last_outcome TEXT,
                    last_reason TEXT, last_finished_at DOUBLE, consecutive_failures INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE trigger_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, trigger TEXT NOT NULL, scheduled_for DOUBLE NOT NULL,
                    started_at DOUBLE, finished_at DOUBLE, outcome TEXT NOT NULL, reason TEXT, run_id TEXT UNIQUE,
                    duration_ms INTEGER, kind TEXT NOT NULL);
                CREATE INDEX trigger_history_by_trigger ON trigger_history(trigger, id);
                CREATE INDEX trigger_history_open ON trigger_history(outcome) WHERE outcome IN ('queued', 'running');
                """)
        }
        database = try SQLiteDatabase.open(path: path, migrator: migrator)
    }

    /// The newest `limit` history rows of `trigger`, newest first.
    public func history(_ trigger: String, limit: Int = 20) throws -> [TriggerHistoryEntry] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM trigger_history WHERE trigger = ? ORDER BY id DESC LIMIT ?",
                             arguments: [trigger, max(limit, 0)]).compactMap(Self.entry)
        }
    }

    /// The stored enable (true) or disable (false) of `trigger`; nil when its file decides.
    public func enabledOverride(_ trigger: String) throws -> Bool? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT enabled_override FROM trigger_state WHERE name = ?", arguments: [trigger])
                .flatMap { row -> Bool? in (row["enabled_override"] as Int?).map { $0 != 0 } }
        }
    }

    /// The last scheduled instant handled for `trigger` (fired, skipped or missed), or when the
    /// scheduler began tracking it.
    public func lastScheduled(_ trigger: String) throws -> Date? {
        try database.read { db in
            try Double.fetchOne(db, sql: "SELECT last_scheduled_for FROM trigger_state WHERE name = ?", arguments: [trigger])
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    func setEnabledOverride(_ trigger: String, _ enabled: Bool?, lastScheduled: Date?) throws {
        try database.write { db in
            try Self.ensureState(db, trigger)
            try db.execute(sql: "UPDATE trigger_state SET enabled_override = ? WHERE name = ?",
                           arguments: [enabled.map { $0 ? 1 : 0 }, trigger])
            if let lastScheduled {
                try db.execute(sql: "UPDATE trigger_state SET last_scheduled_for = ? WHERE name = ?",
                               arguments: [lastScheduled.timeIntervalSince1970, trigger])
            }
        }
    }

    /// Every trigger's stored state, by name.
    func states() throws -> [String: TriggerState] {
        try database.read { db in
            var states: [String: TriggerState] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM trigger_state") {
                states[row["name"]] = Self.state(row)
            }
            return states
        }
    }

    func state(_ trigger: String) throws -> TriggerState? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM trigger_state WHERE name = ?", arguments: [trigger]).map(Self.state)
        }
    }

    /// Applies `changes` in one transaction.
    func apply(_ changes: [Change]) throws {
        guard !changes.isEmpty else { return }
        try database.write { db in
            for change in changes { try Self.apply(change, db) }
        }
    }

    /// Closes rows a previous process left open: `running` becomes `failed` (and counts as a failure),
    /// `queued` becomes `cancelled`. Returns how many rows changed.
    /// Runs in `inFlight` (still going in this process) are left alone.
    @discardableResult
    func closeInterruptedRuns(at now: Date, inFlight: Set<String> = []) throws -> Int {
        try database.write { db in
            let open = try Row.fetchAll(db, sql: "SELECT run_id, trigger, outcome FROM trigger_history WHERE outcome IN ('queued', 'running')")
                .filter { !inFlight.contains($0["run_id"]) }
            for row in open {
                let runID: String = row["run_id"]
                let trigger: String = row["trigger"]
                if row["outcome"] as String == "running" {
                    try Self.apply(.finished(trigger: trigger, runID: runID,
                                             outcome: .failed(reason: "interrupted: the scheduler stopped while this run was in progress"),
                                             at: now, duration: .zero), db)
                } else {
                    try db.execute(sql: "UPDATE trigger_history SET outcome = 'cancelled', reason = ? WHERE run_id = ?",
                                   arguments: ["the scheduler stopped before this queued run started", runID])
                }
            }
            return open.count
        }
    }
}
