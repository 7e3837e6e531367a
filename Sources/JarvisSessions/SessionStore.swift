import CmdopStorage
import Foundation
import GRDB
import Synchronization

/// Sessions as append-only event logs in SQLite, with live delivery to every attached client.
///
/// An event is stored before anyone sees it. A client attaching with `after: SEQ` gets every event
/// after SEQ exactly once and in order — first from storage, then live — whenever it attaches, from
/// wherever; the run that writes the events never notices clients come and go.
public final class SessionStore: Sendable {
    let database: any DatabaseWriter
    private let subscribers = Mutex<[String: [UUID: AsyncStream<SessionEvent>.Continuation]]>([:])

    /// Opens (creating) the store at `path`; `":memory:"` for a private one.
    public init(path: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions") { db in
            try db.execute(sql: """
                CREATE TABLE sessions (id TEXT PRIMARY KEY, fleet_id TEXT NOT NULL, title TEXT NOT NULL,
                                       created_at DOUBLE NOT NULL);
                CREATE TABLE session_events (session_id TEXT NOT NULL REFERENCES sessions(id), seq INTEGER NOT NULL,
                                             ts TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
                                             PRIMARY KEY (session_id, seq));
                """)
        }
        database = try SQLiteDatabase.open(path: path, migrator: migrator)
    }

    /// A new, empty session in `fleetID`.
    /// - Parameter id: a caller-chosen id (a webhook delivery's run); creating it again returns the
    ///   existing session, so a retried start makes no second one.
    public func createSession(fleetID: String, title: String = "", id: String? = nil) throws -> SessionRecord {
        let record = SessionRecord(id: id ?? UUID().uuidString.lowercased(), fleetID: fleetID, title: title, createdAt: Date())
        try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO sessions (id, fleet_id, title, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [record.id, fleetID, title, record.createdAt.timeIntervalSince1970])
        }
        return try session(record.id, fleetID: fleetID)
    }

    /// The session `id` of `fleetID`.
    /// - Throws: `SessionNotFound` for an unknown id or another fleet's session (indistinguishably).
    public func session(_ id: String, fleetID: String) throws -> SessionRecord {
        let row = try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id = ? AND fleet_id = ?", arguments: [id, fleetID])
        }
        guard let row else { throw SessionNotFound(id: id) }
        return SessionRecord(id: row["id"], fleetID: row["fleet_id"], title: row["title"],
                             createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    /// The sessions of `fleetID`, newest first.
    public func sessions(fleetID: String, limit: Int = 100) throws -> [SessionRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sessions WHERE fleet_id = ? ORDER BY created_at DESC LIMIT ?",
                             arguments: [fleetID, limit])
                .map { SessionRecord(id: $0["id"], fleetID: $0["fleet_id"], title: $0["title"],
                                     createdAt: Date(timeIntervalSince1970: $0["created_at"])) }
        }
    }

    /// Stores `event` as the session's next one, then hands it to every attached client.
    @discardableResult
    public func append(_ event: SessionEvent, to sessionID: String) throws -> SessionEvent {
        var stored = event
        stored.ts = ISO8601DateFormatter().string(from: Date())
        // The lock orders storing and delivery, so live clients see events in seq order.
        return try subscribers.withLock { subscribers in
            stored.seq = try database.write { db in
                let last = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM session_events WHERE session_id = ?",
                                              arguments: [sessionID]) ?? 0
                try db.execute(sql: "INSERT INTO session_events (session_id, seq, ts, kind, payload) VALUES (?, ?, ?, ?, ?)",
                               arguments: [sessionID, last + 1, stored.ts, stored.kind, stored.payload])
                return last + 1
            }
            for continuation in subscribers[sessionID, default: [:]].values { continuation.yield(stored) }
            return stored
        }
    }

    /// Stored events after `seq`, in order.
    public func events(of sessionID: String, after seq: Int64 = 0) throws -> [SessionEvent] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM session_events WHERE session_id = ? AND seq > ? ORDER BY seq",
                             arguments: [sessionID, seq]).map { row in
                var event = SessionEvent(kind: row["kind"], payload: row["payload"])
                event.seq = row["seq"]
                event.ts = row["ts"]
                return event
            }
        }
    }

    /// Every event after `seq`, then each new one as it is appended, exactly once and in order,
    /// until the caller stops iterating.
    public func attach(to sessionID: String, after seq: Int64 = 0) throws -> AsyncStream<SessionEvent> {
        let (stream, continuation) = AsyncStream<SessionEvent>.makeStream()
        let id = UUID()
        // Under the lock no append can slip between the stored read and the live registration.
        try subscribers.withLock { subscribers in
            for event in try events(of: sessionID, after: seq) { continuation.yield(event) }
            subscribers[sessionID, default: [:]][id] = continuation
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0[sessionID]?.removeValue(forKey: id) }
        }
        return stream
    }

    /// How many clients are attached to `sessionID` now.
    public func attachedCount(_ sessionID: String) -> Int {
        subscribers.withLock { $0[sessionID]?.count ?? 0 }
    }
}
