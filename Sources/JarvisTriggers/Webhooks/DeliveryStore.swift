import CmdopStorage
import Foundation
import GRDB

/// Webhook deliveries in SQLite (WAL). A delivery is committed before its 202 is sent, and a run
/// claims it exactly once (`markStarted`), so a crash between the two loses nothing and runs nothing twice.
public final class DeliveryStore: Sendable {
    /// What storing a delivery did.
    enum InsertResult: Sendable {
        case stored
        /// The sender's id was seen within the retention: this is the delivery stored for it.
        case duplicate(Delivery)
    }

    let database: any DatabaseWriter
    let writer: DeliveryWriter

    /// Opens (creating and migrating) the store at `path`; `":memory:"` for a private in-memory one.
    /// - Throws: `StoreError` naming the file and what to check.
    public init(path: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: webhook deliveries") { db in
            try db.execute(sql: """
                CREATE TABLE deliveries (
                    id TEXT PRIMARY KEY, hook TEXT NOT NULL, sender_delivery_id TEXT, headers TEXT NOT NULL,
                    body BLOB NOT NULL, prompt TEXT NOT NULL, run_id TEXT NOT NULL UNIQUE, received_at DOUBLE NOT NULL,
                    state TEXT NOT NULL, started_at DOUBLE, finished_at DOUBLE, outcome TEXT, reason TEXT, replay_of TEXT);
                CREATE INDEX deliveries_by_hook ON deliveries(hook, received_at);
                CREATE INDEX deliveries_pending ON deliveries(state, received_at);
                CREATE TABLE delivery_ids (
                    hook TEXT NOT NULL, sender_delivery_id TEXT NOT NULL, delivery_id TEXT NOT NULL,
                    received_at DOUBLE NOT NULL, PRIMARY KEY (hook, sender_delivery_id));
                CREATE INDEX delivery_ids_age ON delivery_ids(received_at);
                """)
        }
        database = try SQLiteDatabase.open(path: path, migrator: migrator)
        writer = DeliveryWriter(database: database)
    }

    /// Deliveries accepted and not yet started, oldest first (what the runtime should run).
    public func pendingDeliveries(limit: Int = 100) throws -> [Delivery] {
        try fetch("SELECT * FROM deliveries WHERE state = 'accepted' ORDER BY received_at, rowid LIMIT ?", [max(limit, 0)])
    }

    /// Deliveries whose run started and has not been recorded as finished (a restart watches them again).
    public func startedDeliveries(limit: Int = 1000) throws -> [Delivery] {
        try fetch("SELECT * FROM deliveries WHERE state = 'started' ORDER BY received_at, rowid LIMIT ?", [max(limit, 0)])
    }

    /// Claims a delivery for its run: true exactly once, for the first caller with its run id;
    /// false when it was already started (or finished), or `runID` is not the delivery's.
    /// - Throws: `StoreError` when the store cannot be written.
    public func markStarted(deliveryID: String, runID: String, now: Date = Date()) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                UPDATE deliveries SET state = 'started', started_at = ? WHERE id = ? AND run_id = ? AND state = 'accepted'
                """, arguments: [now.timeIntervalSince1970, deliveryID, runID])
            return db.changesCount == 1
        }
    }

    /// Records how a started delivery's run ended.
    /// - Throws: `StoreError` when the delivery is unknown or was never started.
    public func markFinished(deliveryID: String, outcome: RunOutcome, now: Date = Date()) throws {
        try database.write { db in
            try db.execute(sql: """
                UPDATE deliveries SET state = 'finished', finished_at = ?, outcome = ?, reason = ? WHERE id = ? AND state = 'started'
                """, arguments: [now.timeIntervalSince1970, outcome.label, outcome.reason, deliveryID])
            guard db.changesCount == 1 else {
                throw StoreError("delivery \(deliveryID) is unknown or not started; call markStarted before markFinished")
            }
        }
    }

    /// The newest `limit` deliveries of `hook`, newest first.
    public func deliveries(hook: String, limit: Int = 20) throws -> [Delivery] {
        try fetch("SELECT * FROM deliveries WHERE hook = ? ORDER BY received_at DESC, rowid DESC LIMIT ?", [hook, max(limit, 0)])
    }

    /// One delivery by our id.
    public func delivery(id: String) throws -> Delivery? {
        try fetch("SELECT * FROM deliveries WHERE id = ?", [id]).first
    }

    /// The delivery stored for a sender id of `hook` received at or after `since`, if any.
    public func duplicate(hook: String, senderDeliveryID: String, since: Date) throws -> Delivery? {
        try database.read { db in try Self.duplicate(db, hook: hook, senderDeliveryID: senderDeliveryID, since: since) }
    }

    /// Stores a new delivery copying a stored one (its body, headers and — unless `prompt` is
    /// given — its prompt), with a new id and run id and no sender id, so it is never a duplicate.
    /// - Throws: `StoreError` when there is no such delivery.
    public func replay(deliveryID: String, prompt: String? = nil, now: Date = Date()) throws -> Delivery {
        try database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM deliveries WHERE id = ?", arguments: [deliveryID]),
                  let original = Self.delivery(row) else {
                throw StoreError("no delivery \(deliveryID); see `cmdop webhooks deliveries HOOK` for ids")
            }
            let copy = Delivery(id: UUID().uuidString.lowercased(), hook: original.hook, senderDeliveryID: nil,
                                headers: original.headers, body: original.body, prompt: prompt ?? original.prompt,
                                runID: UUID().uuidString.lowercased(), receivedAt: now, state: .accepted, startedAt: nil,
                                finishedAt: nil, outcome: nil, replayOf: original.id)
            try Self.insert(db, copy)
            return copy
        }
    }

    /// Forgets sender ids received before `cutoff` (of `hook`, or of every hook); returns how many.
    /// The deliveries themselves stay.
    @discardableResult
    public func pruneDeliveryIDs(hook: String? = nil, receivedBefore cutoff: Date) throws -> Int {
        try database.write { db in
            if let hook {
                try db.execute(sql: "DELETE FROM delivery_ids WHERE hook = ? AND received_at < ?",
                               arguments: [hook, cutoff.timeIntervalSince1970])
            } else {
                try db.execute(sql: "DELETE FROM delivery_ids WHERE received_at < ?", arguments: [cutoff.timeIntervalSince1970])
            }
            return db.changesCount
        }
    }

    /// Stores `delivery` in one transaction with its sender id, unless that id was seen since `dedupeSince`.
    /// Stores `delivery` in the next group commit (see `DeliveryWriter`); returns once it is on disk.
    /// - Parameter dedupeKey: what makes a later delivery the same one (nil: never a duplicate).
    func insert(_ delivery: Delivery, dedupeKey: String?, dedupeSince: Date) async throws -> InsertResult {
        try await writer.insert(delivery, dedupeKey: dedupeKey, dedupeSince: dedupeSince)
    }

    /// One insert inside a write transaction: de-duplicated on `dedupeKey`, then stored.
    static func insert(_ db: Database, _ delivery: Delivery, dedupeKey: String?, dedupeSince: Date) throws -> InsertResult {
        if let sender = dedupeKey {
            if let existing = try duplicate(db, hook: delivery.hook, senderDeliveryID: sender, since: dedupeSince) {
                return .duplicate(existing)
            }
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO delivery_ids (hook, sender_delivery_id, delivery_id, received_at) VALUES (?, ?, ?, ?)
                """).execute(arguments: [delivery.hook, sender, delivery.id, delivery.receivedAt.timeIntervalSince1970])
        }
        try insert(db, delivery)
        return .stored
    }

    private func fetch(_ sql: String, _ arguments: StatementArguments) throws -> [Delivery] {
        try database.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.delivery) }
    }
}
