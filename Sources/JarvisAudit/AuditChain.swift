import CmdopIdentity
import CmdopStorage
import Foundation
import GRDB

/// jarvis's append-only, hash-chained audit log in SQLite.
///
/// Each record's hash covers the previous record's hash, so an edited record breaks its own hash
/// and a removed one breaks the chain; a head row written in the same transaction catches a
/// removed tail. `verify()` walks the whole chain.
public final class AuditChain: Sendable {
    let database: any DatabaseWriter

    /// Opens (creating) the chain at `path`; `":memory:"` for a private one.
    public init(path: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: audit chain") { db in
            try db.execute(sql: """
                CREATE TABLE audit (seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL, ts TEXT NOT NULL,
                                    kind TEXT NOT NULL, record TEXT NOT NULL, hash TEXT NOT NULL);
                CREATE INDEX audit_by_run ON audit(run_id);
                CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
                """)
        }
        database = try SQLiteDatabase.open(path: path, migrator: migrator)
    }

    /// Appends `record`, chaining it to the current head; returns it with `seq` and hashes set.
    @discardableResult
    public func append(_ record: AuditRecord) throws -> AuditRecord {
        try database.write { db in
            let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_head WHERE id = 1")
            var linked = record
            linked.seq = (head?["seq"] as Int64? ?? 0) + 1
            linked.prevHash = head?["hash"] ?? AuditRecord.genesis
            linked.hash = Crypto.hex(Crypto.sha256(linked.canonicalBytes()))
            let text = String(decoding: try Self.encoder.encode(linked), as: UTF8.self)
            try db.execute(sql: "INSERT INTO audit (seq, run_id, ts, kind, record, hash) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [linked.seq, linked.runID, linked.ts, linked.kind, text, linked.hash])
            try db.execute(sql: "INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, ?, ?)",
                           arguments: [linked.seq, linked.hash])
            return linked
        }
    }

    /// Records in order, optionally from `since` (RFC 3339) or of one run.
    public func records(since: String? = nil, runID: String? = nil) throws -> [AuditRecord] {
        try database.read { db in
            try String.fetchAll(db, sql: """
                SELECT record FROM audit WHERE (?1 IS NULL OR ts >= ?1) AND (?2 IS NULL OR run_id = ?2) ORDER BY seq
                """, arguments: [since, runID]).map { try Self.decoder.decode(AuditRecord.self, from: Data($0.utf8)) }
        }
    }

    /// Walks the chain; the first problem found, or nil when every record is intact and present.
    public func verify() throws -> AuditProblem? {
        try database.read { db in
            var expectedSeq: Int64 = 1
            var previous = AuditRecord.genesis
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, record, hash FROM audit ORDER BY seq")
            while let row = try rows.next() {
                let seq: Int64 = row["seq"]
                guard seq == expectedSeq else { return .missing(seq: expectedSeq) }
                guard let record = try? Self.decoder.decode(AuditRecord.self, from: Data((row["record"] as String).utf8)),
                      record.seq == seq, record.prevHash == previous,
                      record.hash == row["hash"] as String,
                      record.hash == Crypto.hex(Crypto.sha256(record.canonicalBytes()))
                else { return .altered(seq: seq) }
                previous = record.hash
                expectedSeq += 1
            }
            let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_head WHERE id = 1")
            let headSeq: Int64 = head?["seq"] ?? 0
            if headSeq != expectedSeq - 1 || (head?["hash"] ?? AuditRecord.genesis) != previous {
                return headSeq > expectedSeq - 1 ? .missing(seq: expectedSeq) : .altered(seq: headSeq)
            }
            return nil
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static let decoder = JSONDecoder()
}

/// What `AuditChain.verify()` found wrong.
public enum AuditProblem: Sendable, Equatable, CustomStringConvertible {
    /// Record `seq` was edited (its hash or its link to the one before does not hold).
    case altered(seq: Int64)
    /// Record `seq` (and maybe more) was removed.
    case missing(seq: Int64)

    public var description: String {
        switch self {
        case .altered(let seq): "record \(seq) was altered: its hash or its link to the record before does not match"
        case .missing(let seq): "record \(seq) is missing: the chain has a gap or was cut short"
        }
    }
}
