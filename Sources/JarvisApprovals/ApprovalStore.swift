import CmdopStorage
import Foundation
import GRDB

/// Durable approvals in SQLite: an approval is stored before anything waits on it, so a pending
/// request survives a restart of jarvis and can still be decided — or expires, which denies.
public final class ApprovalStore: Sendable {
    let database: any DatabaseWriter
    /// When true, the identity that asked cannot approve its own request.
    public let forbidSelfApproval: Bool

    public init(path: String, forbidSelfApproval: Bool = true) throws {
        self.forbidSelfApproval = forbidSelfApproval
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: approvals") { db in
            try db.execute(sql: """
                CREATE TABLE approvals (
                    id TEXT PRIMARY KEY, fleet_id TEXT NOT NULL, run_id TEXT NOT NULL, tool TEXT NOT NULL,
                    arguments TEXT NOT NULL, targets TEXT NOT NULL, reason TEXT NOT NULL, requested_by TEXT NOT NULL,
                    requested_at DOUBLE NOT NULL, expires_at DOUBLE NOT NULL, status TEXT NOT NULL,
                    decided_by TEXT, decided_at DOUBLE, decision_reason TEXT, binding TEXT NOT NULL);
                CREATE INDEX approvals_pending ON approvals(fleet_id, status);
                """)
        }
        database = try SQLiteDatabase.open(path: path, migrator: migrator)
    }

    /// Stores a new pending approval for one exact call; it expires (and so denies) after `timeout`.
    public func request(fleetID: String, runID: String, tool: String, arguments: String, targets: [String],
                        reason: String, requestedBy: String, timeout: TimeInterval = 600,
                        now: Date = Date()) throws -> Approval {
        let approval = Approval(
            id: UUID().uuidString.lowercased(), fleetID: fleetID, runID: runID, tool: tool, arguments: arguments,
            targets: targets, reason: reason, requestedBy: requestedBy, requestedAt: now,
            expiresAt: now.addingTimeInterval(max(timeout, 1)), status: .pending,
            binding: Approval.binding(tool: tool, arguments: arguments, targets: targets))
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO approvals (id, fleet_id, run_id, tool, arguments, targets, reason, requested_by,
                    requested_at, expires_at, status, binding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [approval.id, fleetID, runID, tool, arguments, targets.joined(separator: ","), reason,
                                 requestedBy, now.timeIntervalSince1970, approval.expiresAt.timeIntervalSince1970,
                                 approval.status.rawValue, approval.binding])
        }
        return approval
    }

    /// The latest approval a run asked for this exact call (so a resumed run waits on the request it
    /// already made instead of asking again).
    public func latest(fleetID: String, runID: String, binding: String) throws -> Approval? {
        try database.read { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM approvals WHERE fleet_id = ? AND run_id = ? AND binding = ? ORDER BY requested_at DESC LIMIT 1
                """, arguments: [fleetID, runID, binding]).map(Self.approval)
        }
    }

    /// Approves or denies a pending request of `fleetID`.
    /// - Throws: `ApprovalError` when it is unknown in this fleet, already decided, expired, or the
    ///   approver is the requester while self-approval is forbidden.
    @discardableResult
    public func decide(_ id: String, fleetID: String, approve: Bool, by approver: String, reason: String = "",
                       now: Date = Date()) throws -> Approval {
        try database.write { db in
            guard var approval = try Self.fetch(db, id: id, fleetID: fleetID) else {
                throw ApprovalError("no approval \(id) in this fleet (see `cmdop approvals list`)")
            }
            if approval.status == .pending && now >= approval.expiresAt {
                approval.status = .expired
                try Self.save(db, approval)
            }
            guard approval.status == .pending else {
                throw ApprovalError("approval \(id) is already \(approval.status.rawValue)")
            }
            if forbidSelfApproval && approver == approval.requestedBy {
                throw ApprovalError("\(approver) asked for this and cannot approve it; another on-call person must decide")
            }
            approval.status = approve ? .approved : .denied
            approval.decidedBy = approver
            approval.decidedAt = now
            approval.decisionReason = reason
            try Self.save(db, approval)
            return approval
        }
    }

    /// Marks every pending approval past its deadline as expired; returns them.
    public func expireDue(now: Date = Date()) throws -> [Approval] {
        try database.write { db in
            let due = try Row.fetchAll(db, sql: "SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ?",
                                       arguments: [now.timeIntervalSince1970]).map(Self.approval)
            for var approval in due {
                approval.status = .expired
                try Self.save(db, approval)
            }
            return due.map { var expired = $0; expired.status = .expired; return expired }
        }
    }

    /// One approval of `fleetID`.
    public func approval(_ id: String, fleetID: String) throws -> Approval? {
        try database.read { db in try Self.fetch(db, id: id, fleetID: fleetID) }
    }

    /// The pending approvals of `fleetID`, oldest first.
    public func pending(fleetID: String) throws -> [Approval] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM approvals WHERE fleet_id = ? AND status = 'pending' ORDER BY requested_at",
                             arguments: [fleetID]).map(Self.approval)
        }
    }

    private static func fetch(_ db: Database, id: String, fleetID: String) throws -> Approval? {
        try Row.fetchOne(db, sql: "SELECT * FROM approvals WHERE id = ? AND fleet_id = ?", arguments: [id, fleetID])
            .map(approval)
    }

    private static func save(_ db: Database, _ approval: Approval) throws {
        try db.execute(sql: """
            UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?
            """, arguments: [approval.status.rawValue, approval.decidedBy, approval.decidedAt?.timeIntervalSince1970,
                             approval.decisionReason, approval.id])
    }

    private static func approval(_ row: Row) -> Approval {
        let decided: Double? = row["decided_at"]
        let targets: String = row["targets"]
        return Approval(
            id: row["id"], fleetID: row["fleet_id"], runID: row["run_id"], tool: row["tool"], arguments: row["arguments"],
            targets: targets.isEmpty ? [] : targets.split(separator: ",").map(String.init), reason: row["reason"],
            requestedBy: row["requested_by"], requestedAt: Date(timeIntervalSince1970: row["requested_at"]),
            expiresAt: Date(timeIntervalSince1970: row["expires_at"]),
            status: Approval.Status(rawValue: row["status"]) ?? .expired, decidedBy: row["decided_by"],
            decidedAt: decided.map(Date.init(timeIntervalSince1970:)), decisionReason: row["decision_reason"],
            binding: row["binding"])
    }
}
