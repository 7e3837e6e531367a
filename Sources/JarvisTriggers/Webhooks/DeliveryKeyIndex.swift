import Foundation
import GRDB

/// What makes two deliveries of a hook the same one: the hook and 16 bytes of the key's SHA-256.
struct DeliveryKey: Hashable, Sendable {
    let hook: String
    let digest: [UInt8]

    /// The digest's first 8 bytes, big-endian: how `delivery_keys` and `WrittenKeySet` file the key.
    var fingerprint: UInt64 { Self.fingerprint(digest) }

    /// The hook and the fingerprint (equality still compares the whole digest): hashing the
    /// digest's 16 bytes one by one cost more, in the several maps each delivery visits.
    func hash(into hasher: inout Hasher) {
        hasher.combine(hook)
        hasher.combine(fingerprint)
    }

    static func fingerprint(_ digest: [UInt8]) -> UInt64 {
        digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// The de-duplication keys of recent deliveries, in memory, written to `delivery_keys` in sorted
/// batches rather than one by one.
///
/// Why: a key is a digest, so a B-tree keyed by it takes each new key on a random leaf, and every
/// commit then writes (and later checkpoints) one 4 KiB page per delivery. That was most of the
/// store's cost per delivery. Here a delivery's row carries its key and the generation it was
/// stored in; the keys of a generation stay in memory until it is full, then go to `delivery_keys`
/// in key order, a chunk per transaction between the writer's commits, so each written page takes
/// many keys and a chunk never holds the writer for long.
///
/// `delivery_keys` is kept small, so a generation's keys share as many pages as they can: a row
/// is a key's fingerprint (its digest's first 8 bytes) and its time, about 20 bytes. A look-up
/// finds the delivery by hook and time (`deliveries_by_hook`) and compares the whole digest there;
/// nothing depends on rowids, which `VACUUM` may renumber.
///
/// Nothing is lost on a crash: the rows are the truth. `delivery_key_state` names the newest
/// generation wholly written; on opening, `load` reads back the keys of every row stored after it
/// (the newest rows, found from the end of the table). Every row the writer stores counts toward
/// its generation, keyed or not, so that look-back reads at most `generationSize` rows (plus those
/// of a generation still being written) and stops at the first row of a written one; replays carry
/// no generation and are passed over.
///
/// Used by `DeliveryWriter` only, one call at a time. A class, so the writer's look-ups and
/// updates work in place rather than on copies of the maps.
final class DeliveryKeyIndex {
    /// The newest delivery stored under a key (in memory).
    struct Entry: Sendable {
        let deliveryID: String
        let receivedAt: Double
    }

    /// Keys written to `delivery_keys` in one transaction.
    struct Chunk {
        let generation: Int64
        let keys: ArraySlice<(key: DeliveryKey, entry: Entry)>
        /// The generation's last chunk: its transaction also records the generation as written.
        let isLast: Bool
    }

    /// The generation rows stored now carry.
    private(set) var generation: Int64
    /// How many rows a generation holds before its keys are written out.
    let generationSize: Int
    /// Rows stored in the current generation, keyed or not.
    private var currentRows = 0
    private var current: [DeliveryKey: Entry] = [:]
    /// The generation being written (nil: none), its keys, the same in key order, and how far it is.
    private var writingGeneration: Int64?
    private var writing: [DeliveryKey: Entry] = [:]
    private var writingSorted: [(key: DeliveryKey, entry: Entry)] = []
    private var writingNext = 0

    /// Keys per transaction when a generation is written.
    static let chunkSize = 512

    init(generation: Int64, generationSize: Int, rows: Int = 0) {
        self.generation = generation
        self.generationSize = max(generationSize, 1)
        currentRows = rows
    }

    /// The newest delivery under `key` received at or after `since` that this index holds in memory.
    func newest(_ key: DeliveryKey, since: Double) -> Entry? {
        let recent = current[key].flatMap { $0.receivedAt >= since ? $0 : nil }
        guard let older = writing[key], older.receivedAt >= since else { return recent }
        guard let recent else { return older }
        return recent.receivedAt >= older.receivedAt ? recent : older
    }

    /// Records a committed row of the current generation, with its key if it has one (the newest
    /// delivery under a key wins). Call `closeIfFull` after a whole commit's rows: every row of a
    /// commit carries the same generation, so one may not be split between two.
    func recordRow(_ key: DeliveryKey?, _ entry: Entry) {
        currentRows += 1
        if let key, current[key].map({ $0.receivedAt <= entry.receivedAt }) ?? true { current[key] = entry }
    }

    /// True when a generation is waiting to be written.
    var hasWork: Bool { writingGeneration != nil }

    /// Sets the current generation aside for writing when it is full and none is being written;
    /// rows stored from now on belong to the next generation.
    func closeIfFull() {
        guard writingGeneration == nil, currentRows >= generationSize else { return }
        writingSorted = Self.inKeyOrder(current)
        writing = current
        writingNext = 0
        writingGeneration = generation
        current = [:]
        currentRows = 0
        generation += 1
    }

    /// The next chunk of the generation being written (a generation without keys is one empty chunk).
    func nextChunk() -> Chunk? {
        guard let writingGeneration else { return nil }
        let end = min(writingNext + Self.chunkSize, writingSorted.count)
        return Chunk(generation: writingGeneration, keys: writingSorted[writingNext..<end], isLast: end == writingSorted.count)
    }

    /// Marks `chunk` committed; after the last one its keys are read from `delivery_keys` only.
    func written(_ chunk: Chunk) {
        guard writingGeneration == chunk.generation else { return }
        writingNext = chunk.keys.endIndex
        if chunk.isLast {
            writingGeneration = nil
            writing = [:]
            writingSorted = []
            closeIfFull()
        }
    }

    /// The keys in `delivery_keys`' order: by fingerprint, as the signed integer SQLite stores.
    private static func inKeyOrder(_ keys: [DeliveryKey: Entry]) -> [(key: DeliveryKey, entry: Entry)] {
        // Each prefix computed once, not in every comparison.
        keys.map { (prefix: storedPrefix($0.key), key: $0.key, entry: $0.value) }
            .sorted { $0.prefix < $1.prefix }
            .map { (key: $0.key, entry: $0.entry) }
    }

    /// A key's fingerprint as `delivery_keys.prefix` holds it.
    static func storedPrefix(_ key: DeliveryKey) -> Int64 { Int64(bitPattern: key.fingerprint) }

    // MARK: - SQL

    /// Writes `chunk` (in the caller's transaction); keys already there (a generation re-read after
    /// a crash in the middle of writing it) are skipped.
    /// - Returns: the fingerprints of the rows inserted (for `WrittenKeySet`, once committed).
    static func write(_ chunk: Chunk, _ db: Database) throws -> [UInt64] {
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO delivery_keys (prefix, received_at) VALUES (?, ?)")
        var inserted: [UInt64] = []
        inserted.reserveCapacity(chunk.keys.count)
        for (key, entry) in chunk.keys {
            try insert.execute(arguments: [storedPrefix(key), entry.receivedAt])
            if db.changesCount == 1 { inserted.append(key.fingerprint) }
        }
        if chunk.isLast {
            try db.execute(sql: "UPDATE delivery_key_state SET written_generation = ?", arguments: [chunk.generation])
        }
        return inserted
    }

    /// The id of the newest delivery under `key` since `since` in `delivery_keys`.
    static func newestWritten(_ key: DeliveryKey, since: Double, _ db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: newestWrittenSQL),
                            arguments: [key.hook, Data(key.digest), storedPrefix(key), since])
    }

    /// One search of `delivery_keys`' primary key, then each candidate time's deliveries of the
    /// hook (keys sharing a fingerprint, or a time, are told apart by the whole digest). `+ 0`
    /// keeps SQLite from carrying `>= since` over to the deliveries and scanning a range of them
    /// instead of looking up the one time.
    static let newestWrittenSQL = """
        SELECT d.id FROM delivery_keys k JOIN deliveries d ON d.hook = ? AND d.received_at = k.received_at + 0 AND d.dedupe_key = ?
        WHERE k.prefix = ? AND k.received_at >= ?
        ORDER BY k.received_at DESC LIMIT 1
        """

    /// The index as a store left it: the keys of rows stored after the last generation written.
    static func load(_ db: Database, generationSize: Int) throws -> DeliveryKeyIndex {
        let written = try Int64.fetchOne(db, sql: "SELECT written_generation FROM delivery_key_state") ?? 0
        var newestSeen = written
        var rowCount = 0
        var unwritten: [(DeliveryKey, Entry)] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT hook, dedupe_key, received_at, id, key_generation FROM deliveries ORDER BY rowid DESC
            """)
        while let row = try rows.next() {
            guard let rowGeneration = row["key_generation"] as Int64? else { continue }
            if rowGeneration <= written { break }
            newestSeen = max(newestSeen, rowGeneration)
            rowCount += 1
            if let digest = row["dedupe_key"] as Data? {
                unwritten.append((DeliveryKey(hook: row["hook"], digest: Array(digest)),
                                  Entry(deliveryID: row["id"], receivedAt: row["received_at"])))
            }
        }
        // Every unwritten row joins the new current generation, so its keys are written with it.
        let index = DeliveryKeyIndex(generation: newestSeen + 1, generationSize: generationSize, rows: max(rowCount - unwritten.count, 0))
        for (key, entry) in unwritten { index.recordRow(key, entry) }
        index.closeIfFull()
        return index
    }
}
