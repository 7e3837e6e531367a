import CmdopIdentity
import CmdopStorage
import Foundation
import GRDB

/// Webhook deliveries in SQLite (WAL). A delivery is committed before its 202 is sent, and a run
/// claims it exactly once (`markStarted`), so a crash between the two loses nothing and runs nothing twice.
///
/// One store per file and process: the newest de-duplication keys live in this object's memory
/// (`DeliveryKeyIndex`) until they are written, so a second store open on the same file would not see them.
public final class DeliveryStore: Sendable {
    /// What storing a delivery did.
    enum InsertResult: Sendable {
        case stored
        /// The sender's id was seen within the retention: this is the delivery stored for it.
        case duplicate(Delivery)
    }

    let database: any DatabaseWriter
    let writer: DeliveryWriter
    /// The keys `delivery_keys` holds (see `WrittenKeySet`).
    let writtenKeys: WrittenKeySet

    /// How many de-duplication keys are written to disk (distinct fingerprints; about 30 bytes of memory each).
    public var writtenKeyCount: Int { writtenKeys.count }

    /// Opens (creating and migrating) the store at `path`; `":memory:"` for a private in-memory one.
    /// - Throws: `StoreError` naming the file and what to check.
    public convenience init(path: String) throws {
        try self.init(path: path, keyGenerationSize: 16_384)
    }

    /// - Parameter keyGenerationSize: how many deliveries' keys stay in memory before they are
    ///   written to `delivery_keys` (see `DeliveryKeyIndex`); also the most rows a restart reads back.
    init(path: String, keyGenerationSize: Int) throws {
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
        migrator.registerMigration("v2: de-duplication key in the delivery row", migrate: Self.keyInRow)
        migrator.registerMigration("v3: de-duplication keys written in batches", migrate: Self.keysInBatches)
        migrator.registerMigration("v4: de-duplication keys by fingerprint and time", migrate: Self.keysByFingerprint)
        // A 202 is a promise the sender will not check again (GitHub never retries), so every commit
        // is fsync'd; group commit (`DeliveryWriter`) shares each fsync among the deliveries waiting.
        database = try SQLiteDatabase.open(path: path, migrator: migrator, durability: .powerLoss)
        do {
            let (keys, written) = try database.read { db in
                (try DeliveryKeyIndex.load(db, generationSize: keyGenerationSize), try WrittenKeySet.load(db))
            }
            writtenKeys = written
            writer = DeliveryWriter(database: database, keys: keys, writtenKeys: written)
        } catch {
            throw StoreError("\(path): cannot read the recent de-duplication keys (\(error)); check the file is readable")
        }
    }

    /// v2: each delivery stores the digest of its de-duplication key, searched by one index, in
    /// place of a second table with two more; the index by state holds only unfinished deliveries; no
    /// second unique index on `run_id` (run ids are random and claimed by delivery id). Fewer
    /// B-trees to update per delivery, most of them at their right edge (time-ordered ids).
    private static func keyInRow(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE deliveries_v2 (
                id TEXT PRIMARY KEY, hook TEXT NOT NULL, sender_delivery_id TEXT, headers TEXT NOT NULL,
                body BLOB NOT NULL, prompt TEXT NOT NULL, run_id TEXT NOT NULL, received_at DOUBLE NOT NULL,
                state TEXT NOT NULL, started_at DOUBLE, finished_at DOUBLE, outcome TEXT, reason TEXT, replay_of TEXT,
                dedupe_key BLOB);
            INSERT INTO deliveries_v2 (id, hook, sender_delivery_id, headers, body, prompt, run_id, received_at, state,
                                       started_at, finished_at, outcome, reason, replay_of)
                SELECT id, hook, sender_delivery_id, headers, body, prompt, run_id, received_at, state,
                       started_at, finished_at, outcome, reason, replay_of FROM deliveries ORDER BY rowid;
            """)
        let keys = try Row.fetchAll(db, sql: "SELECT delivery_id, sender_delivery_id FROM delivery_ids")
        for key in keys {
            let sender: String = key["sender_delivery_id"]
            try db.execute(sql: "UPDATE deliveries_v2 SET dedupe_key = ? WHERE id = ?",
                           arguments: [Data(dedupeDigest(sender)), key["delivery_id"] as String])
        }
        try db.execute(sql: """
            DROP TABLE delivery_ids;
            DROP TABLE deliveries;
            ALTER TABLE deliveries_v2 RENAME TO deliveries;
            CREATE INDEX deliveries_by_hook ON deliveries(hook, received_at);
            CREATE INDEX deliveries_open ON deliveries(state, received_at) WHERE state <> 'finished';
            CREATE INDEX deliveries_dedupe ON deliveries(hook, dedupe_key, received_at);
            """)
    }

    /// v3: keys leave the row's index for `delivery_keys`, written in key order a generation at a
    /// time (`DeliveryKeyIndex`); rows stored before carry generation 0, already written.
    private static func keysInBatches(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE deliveries ADD COLUMN key_generation INTEGER DEFAULT 0;
            CREATE TABLE delivery_keys (
                hook TEXT NOT NULL, dedupe_key BLOB NOT NULL, received_at DOUBLE NOT NULL, delivery_id TEXT NOT NULL,
                PRIMARY KEY (hook, dedupe_key, received_at)) WITHOUT ROWID;
            INSERT OR IGNORE INTO delivery_keys (hook, dedupe_key, received_at, delivery_id)
                SELECT hook, dedupe_key, received_at, id FROM deliveries WHERE dedupe_key IS NOT NULL;
            DROP INDEX deliveries_dedupe;
            CREATE TABLE delivery_key_state (written_generation INTEGER NOT NULL);
            INSERT INTO delivery_key_state VALUES (0);
            """)
    }

    /// v4: `delivery_keys` rows shrink from about 75 bytes to about 20 (fingerprint and time in
    /// place of hook, digest, time and id), so a written generation's keys share three to four times
    /// as many pages. The hook and whole digest are compared on the delivery's row.
    private static func keysByFingerprint(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE delivery_keys_v4 (
                prefix INTEGER NOT NULL, received_at DOUBLE NOT NULL, PRIMARY KEY (prefix, received_at)) WITHOUT ROWID
            """)
        let keys = try Row.fetchCursor(db, sql: "SELECT dedupe_key, received_at FROM delivery_keys")
        let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO delivery_keys_v4 (prefix, received_at) VALUES (?, ?)")
        while let key = try keys.next() {
            let digest = Array(key["dedupe_key"] as Data)
            try insert.execute(arguments: [Int64(bitPattern: DeliveryKey.fingerprint(digest)), key["received_at"] as Double])
        }
        try db.execute(sql: "DROP TABLE delivery_keys; ALTER TABLE delivery_keys_v4 RENAME TO delivery_keys")
    }

    /// What the index keeps of a de-duplication key: 16 bytes of its SHA-256 (uniform and small, so
    /// the index stays compact; a collision needs about 2^64 keys).
    static func dedupeDigest(_ key: String) -> [UInt8] { Array(Crypto.sha256(Array(key.utf8)).prefix(16)) }

    /// Deliveries accepted and not yet started, oldest first (what the runtime should run).
    public func pendingDeliveries(limit: Int = 100) throws -> [Delivery] {
        try fetch(Self.unfinishedSQL(state: .accepted), [max(limit, 0)])
    }

    /// Deliveries whose run started and has not been recorded as finished (a restart watches them again).
    public func startedDeliveries(limit: Int = 1000) throws -> [Delivery] {
        try fetch(Self.unfinishedSQL(state: .started), [max(limit, 0)])
    }

    /// Unfinished deliveries in `state`, oldest first; `state <> 'finished'` lets SQLite use the
    /// partial index `deliveries_open` (a bare `state = ?` would scan the table).
    static func unfinishedSQL(state: Delivery.State) -> String {
        "SELECT * FROM deliveries WHERE state = '\(state.rawValue)' AND state <> 'finished' ORDER BY received_at, rowid LIMIT ?"
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
        try database.read { db in try Self.delivery(db, id: id) }
    }

    /// Stores a new delivery copying a stored one (its body, headers and — unless `prompt` is
    /// given — its prompt), with a new id and run id and no sender id, so it is never a duplicate.
    /// - Throws: `StoreError` when there is no such delivery.
    public func replay(deliveryID: String, prompt: String? = nil, now: Date = Date()) throws -> Delivery {
        try database.write { db in
            guard let original = try Self.delivery(db, id: deliveryID) else {
                throw StoreError("no delivery \(deliveryID); see `cmdop webhooks deliveries HOOK` for ids")
            }
            let (id, runID) = TimeOrderedID.pair(now: now)
            let copy = Delivery(id: id, hook: original.hook, senderDeliveryID: nil,
                                headers: original.headers, body: original.body, prompt: prompt ?? original.prompt,
                                runID: runID, receivedAt: now, state: .accepted, startedAt: nil,
                                finishedAt: nil, outcome: nil, replayOf: original.id)
            try DeliveryRecord(copy, dedupeKey: nil, dedupeSince: now).insert(db, generation: nil)
            return copy
        }
    }

    /// Deletes finished deliveries received before `cutoff` (never one still waiting for or running
    /// its run); returns how many. Deletes `pruneChunk` rows per transaction, so a large backlog
    /// (the first prune of an old store) never holds the writer for long: deliveries keep committing.
    /// - Throws: `StoreError` when the store cannot be written.
    @discardableResult
    public func pruneDeliveries(receivedBefore cutoff: Date) throws -> Int {
        let hooks = try database.read { try String.fetchAll($0, sql: "SELECT DISTINCT hook FROM deliveries") }
        var removed = 0
        for hook in hooks {
            while true {
                let deleted = try database.write { db -> Int in
                    try db.execute(sql: """
                        DELETE FROM deliveries WHERE rowid IN (
                            SELECT rowid FROM deliveries WHERE hook = ? AND received_at < ? AND state = 'finished' LIMIT ?)
                        """, arguments: [hook, cutoff.timeIntervalSince1970, Self.pruneChunk])
                    return db.changesCount
                }
                removed += deleted
                if deleted < Self.pruneChunk { break }
            }
        }
        return removed
    }

    /// Forgets de-duplication keys received before `cutoff` (each hook keeps its keys at least as
    /// long as its replay window: the caller's cutoff); returns how many.
    ///
    /// Walks `delivery_keys` in key order, `pruneChunk` keys per transaction. A second index by
    /// age would let this skip the keys it keeps, but every written key would then update it too,
    /// in scattered places (keys are written in key order): twice the pages per key, hourly saved.
    /// Each transaction's deleted keys leave `WrittenKeySet` once it commits.
    /// - Throws: `StoreError` when the store cannot be written.
    @discardableResult
    public func pruneKeys(receivedBefore cutoff: Date) throws -> Int {
        var removed = 0
        var after: Row?
        repeat {
            var deleted: [UInt64] = []
            after = try database.write { db -> Row? in
                deleted.removeAll()
                let page = try Row.fetchAll(db, sql: """
                    SELECT prefix, received_at FROM delivery_keys
                    WHERE (prefix, received_at) > (?, ?) ORDER BY prefix, received_at LIMIT ?
                    """, arguments: [after?["prefix"] ?? Int64.min, after?["received_at"] ?? -Double.infinity, Self.pruneChunk])
                for row in page where (row["received_at"] as Double) < cutoff.timeIntervalSince1970 {
                    try db.execute(sql: "DELETE FROM delivery_keys WHERE prefix = ? AND received_at = ?",
                                   arguments: [row["prefix"], row["received_at"]])
                    if db.changesCount == 1 { deleted.append(UInt64(bitPattern: row["prefix"] as Int64)) }
                }
                return page.count == Self.pruneChunk ? page.last : nil
            }
            writtenKeys.removed(deleted)
            removed += deleted.count
        } while after != nil
        return removed
    }

    /// How many deliveries (or keys) one pruning transaction deletes (or reads) at most.
    static let pruneChunk = 500

    /// Stores `delivery` in the next group commit (see `DeliveryWriter`), unless `dedupeKey` was
    /// seen since `dedupeSince`; returns once it is on disk.
    /// - Parameter dedupeKey: what makes a later delivery the same one (nil: never a duplicate).
    func insert(_ delivery: Delivery, dedupeKey: String?, dedupeSince: Date) async throws -> InsertResult {
        try await writer.insert(DeliveryRecord(delivery, dedupeKey: dedupeKey, dedupeSince: dedupeSince))
    }

    private func fetch(_ sql: String, _ arguments: StatementArguments) throws -> [Delivery] {
        try database.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.delivery) }
    }
}
