public import CmdopProviders
public import JarvisCore
import CmdopCore
import CmdopStorage
import Foundation
import GRDB

/// The run journal in SQLite: each model turn and each tool call is written before its effect,
/// keyed by (run, tool call id), so a run interrupted by a crash resumes from its checkpoint
/// without repeating effects already recorded.
public final class RunJournal: Sendable {
    let database: any DatabaseWriter

    public init(path: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: run journal") { db in
            try db.execute(sql: """
                CREATE TABLE runs (id TEXT PRIMARY KEY, fleet_id TEXT NOT NULL, session_id TEXT NOT NULL,
                                   actor TEXT NOT NULL DEFAULT '',
                                   status TEXT NOT NULL, messages TEXT NOT NULL, turns INTEGER NOT NULL DEFAULT 0,
                                   input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0,
                                   cost DOUBLE NOT NULL DEFAULT 0, stop TEXT, answer TEXT, updated_at DOUBLE NOT NULL);
                CREATE TABLE tool_calls (run_id TEXT NOT NULL REFERENCES runs(id), call_id TEXT NOT NULL,
                                         phase TEXT NOT NULL, outcome TEXT, is_error INTEGER NOT NULL DEFAULT 0,
                                         PRIMARY KEY (run_id, call_id));
                """)
        }
        migrator.registerMigration("v2: per-run budget and model") { db in
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN budget TEXT; ALTER TABLE runs ADD COLUMN model TEXT;")
        }
        migrator.registerMigration("v3: per-run targets") { db in
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN targets TEXT")
        }
        database = try SQLiteDatabase.open(path: path, migrator: migrator)
    }

    /// Records a new run with its opening conversation and returns its journal.
    /// - Parameters:
    ///   - budget: this run's limits, kept so a resumed run keeps them (nil: the service's default).
    ///   - model: this run's model reference (an alias such as `@fast`, or a model name).
    public func begin(runID: String, fleetID: String, sessionID: String, actor: String = "",
                      messages: [ChatMessage], budget: RunBudget? = nil, model: String? = nil,
                      targets: [String]? = nil) throws -> Entry {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO runs (id, fleet_id, session_id, actor, status, messages, updated_at, budget, model, targets)
                VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)
                """, arguments: [runID, fleetID, sessionID, actor, Self.encode(messages), Date().timeIntervalSince1970,
                                 budget.map(Self.encode), model,
                                 targets.map { JSONValue.array($0.map(JSONValue.string)).serialized() }])
        }
        return Entry(journal: self, runID: runID)
    }

    /// What a run was started with, beyond the service's defaults.
    public struct RunSettings: Sendable {
        public var budget: RunBudget?
        public var model: String?
        /// The machines it may touch (names or prefixes); nil for all.
        public var targets: [String]?
        public init(budget: RunBudget? = nil, model: String? = nil, targets: [String]? = nil) {
            self.budget = budget
            self.model = model
            self.targets = targets
        }
    }

    /// The budget, model and targets a run was started with.
    public func settings(of runID: String) throws -> RunSettings {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT budget, model, targets FROM runs WHERE id = ?", arguments: [runID]) else {
                return RunSettings()
            }
            let budget = (row["budget"] as String?).flatMap { try? JSONValue(parsing: $0) }.flatMap(Self.decodeBudget)
            let targets = (row["targets"] as String?).flatMap { try? JSONValue(parsing: $0) }?.arrayValue?.compactMap(\.stringValue)
            return RunSettings(budget: budget, model: row["model"], targets: targets)
        }
    }

    static func encode(_ budget: RunBudget) -> String {
        var fields: [String: JSONValue] = ["max_turns": .number(Double(budget.maxTurns)),
                                           "timeout_ms": .number(Double(budget.maxWallTime.wholeMilliseconds))]
        if let tokens = budget.maxTokens { fields["max_tokens"] = .number(Double(tokens)) }
        if let cost = budget.maxCost { fields["max_cost"] = .number(cost) }
        return JSONValue.object(fields).serialized()
    }

    static func decodeBudget(_ json: JSONValue) -> RunBudget? {
        guard let turns = json["max_turns"]?.intValue, let timeout = json["timeout_ms"]?.intValue else { return nil }
        return RunBudget(maxTurns: turns, maxTokens: json["max_tokens"]?.intValue, maxCost: json["max_cost"]?.doubleValue,
                         maxWallTime: .milliseconds(timeout))
    }

    /// Who and where a run belongs to.
    public func owner(of runID: String) throws -> (fleetID: String, sessionID: String, actor: String)? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT fleet_id, session_id, actor FROM runs WHERE id = ?", arguments: [runID])
                .map { ($0["fleet_id"], $0["session_id"], $0["actor"]) }
        }
    }

    /// The conversation of a session's latest finished run (system prompt left out), to continue a chat.
    public func conversation(ofSession sessionID: String) throws -> [ChatMessage] {
        try database.read { db in
            guard let text = try String.fetchOne(db, sql: """
                SELECT messages FROM runs WHERE session_id = ? AND status = 'finished' ORDER BY updated_at DESC LIMIT 1
                """, arguments: [sessionID]) else { return [] }
            let json = try JSONValue(parsing: text)
            return (json.arrayValue ?? []).compactMap(ChatMessage.init(journalJSON:)).filter { $0.role != .system }
        }
    }

    /// The journal of an existing run.
    public func entry(_ runID: String) -> Entry { Entry(journal: self, runID: runID) }

    /// Runs that started and never finished (to resume after a restart), oldest first.
    public func openRuns() throws -> [String] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM runs WHERE status = 'running' ORDER BY updated_at")
        }
    }

    /// Where run `runID` stands.
    public func checkpoint(_ runID: String) throws -> RunCheckpoint? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [runID]) else { return nil }
            let json = try JSONValue(parsing: row["messages"] as String)
            return RunCheckpoint(messages: (json.arrayValue ?? []).compactMap(ChatMessage.init(journalJSON:)),
                                 turns: row["turns"], inputTokens: row["input_tokens"], outputTokens: row["output_tokens"],
                                 cost: row["cost"])
        }
    }

    /// Whether run `runID` finished, and how.
    public func status(_ runID: String) throws -> (status: String, stop: String?)? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT status, stop FROM runs WHERE id = ?", arguments: [runID])
                .map { ($0["status"], $0["stop"]) }
        }
    }

    /// Runs of `fleetID` (optionally of one session), newest first.
    public func runs(fleetID: String, sessionID: String? = nil, limit: Int = 100) throws -> [RunSummary] {
        try database.read { db in
            var sql = "SELECT * FROM runs WHERE fleet_id = ?"
            var arguments: StatementArguments = [fleetID]
            if let sessionID {
                sql += " AND session_id = ?"
                arguments += [sessionID]
            }
            sql += " ORDER BY updated_at DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(RunSummary.init(row:))
        }
    }

    /// Run `runID` of `fleetID`; nil for an unknown run or another fleet's.
    public func run(_ runID: String, fleetID: String) throws -> RunSummary? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ? AND fleet_id = ?", arguments: [runID, fleetID])
                .map(RunSummary.init(row:))
        }
    }

    static func encode(_ messages: [ChatMessage]) -> String {
        JSONValue.array(messages.map(\.journalJSON)).serialized()
    }

    /// One run's journal, as the agent loop writes it.
    public struct Entry: RunJournaling {
        let journal: RunJournal
        public let runID: String

        public func turnRecorded(messages: [ChatMessage], turns: Int, inputTokens: Int, outputTokens: Int, cost: Double) {
            _ = try? journal.database.write { db in
                try db.execute(sql: """
                    UPDATE runs SET messages = ?, turns = ?, input_tokens = ?, output_tokens = ?, cost = ?, updated_at = ?
                    WHERE id = ?
                    """, arguments: [RunJournal.encode(messages), turns, inputTokens, outputTokens, cost,
                                     Date().timeIntervalSince1970, runID])
            }
        }

        public func state(of callID: String) -> ToolCallState {
            let row = try? journal.database.read { db in
                try Row.fetchOne(db, sql: "SELECT phase, outcome, is_error FROM tool_calls WHERE run_id = ? AND call_id = ?",
                                 arguments: [runID, callID])
            }
            guard let row, let phase = row["phase"] as String? else { return .unseen }
            switch phase {
            case "finished": return .finished(ToolOutcome(row["outcome"] ?? "", isError: row["is_error"]))
            case "effect": return .effectBegun
            default: return .started
            }
        }

        public func toolStarted(_ callID: String) { set(callID, phase: "started") }

        public func effectBegan(_ callID: String) { set(callID, phase: "effect") }

        public func toolFinished(_ callID: String, outcome: ToolOutcome) {
            set(callID, phase: "finished", outcome: outcome)
        }

        public func runFinished(_ stop: RunStop, answer: String, messages: [ChatMessage]) {
            _ = try? journal.database.write { db in
                try db.execute(sql: """
                    UPDATE runs SET status = 'finished', stop = ?, answer = ?, messages = ?, updated_at = ? WHERE id = ?
                    """, arguments: ["\(stop)", answer, RunJournal.encode(messages), Date().timeIntervalSince1970, runID])
            }
        }

        private func set(_ callID: String, phase: String, outcome: ToolOutcome? = nil) {
            _ = try? journal.database.write { db in
                try db.execute(sql: """
                    INSERT INTO tool_calls (run_id, call_id, phase, outcome, is_error) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (run_id, call_id) DO UPDATE SET phase = excluded.phase, outcome = excluded.outcome,
                        is_error = excluded.is_error
                    """, arguments: [runID, callID, phase, outcome?.content, outcome?.isError ?? false])
            }
        }
    }
}
