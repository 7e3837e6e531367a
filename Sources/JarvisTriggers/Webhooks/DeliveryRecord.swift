import Foundation
import GRDB
import GRDBSQLite

/// A delivery ready to store: every value its insert binds is computed by the caller's task, so
/// the single writer only looks up its key and executes the statement.
struct DeliveryRecord: Sendable {
    /// What makes a later delivery the same one; nil: the delivery is never a duplicate.
    let key: DeliveryKey?
    /// The oldest time a delivery under `key` still makes this one a duplicate (seconds since 1970).
    let since: Double
    /// How the key index remembers this delivery once stored.
    let entry: DeliveryKeyIndex.Entry
    /// The row's other values (see `insert`).
    private let hook: String
    private let senderDeliveryID: String?
    private let headers: String
    private let body: [UInt8]
    private let prompt: String
    private let runID: String
    private let state: String
    private let replayOf: String?

    init(_ delivery: Delivery, dedupeKey: String?, dedupeSince: Date) {
        let digest = dedupeKey.map(DeliveryStore.dedupeDigest)
        key = digest.map { DeliveryKey(hook: delivery.hook, digest: $0) }
        since = dedupeSince.timeIntervalSince1970
        entry = DeliveryKeyIndex.Entry(deliveryID: delivery.id, receivedAt: delivery.receivedAt.timeIntervalSince1970)
        hook = delivery.hook
        senderDeliveryID = delivery.senderDeliveryID
        headers = String(decoding: IntakeResponse(status: 0, fields: delivery.headers).body, as: UTF8.self)
        body = delivery.body
        prompt = delivery.prompt
        runID = delivery.runID
        state = delivery.state.rawValue
        replayOf = delivery.replayOf
    }

    /// Stores the row (the writer has checked its key) with its key generation: nil for a row
    /// stored outside the writer (a replay, which has no key).
    ///
    /// Binds through SQLite's own calls on GRDB's cached statement: this runs for every delivery,
    /// and building `StatementArguments` (a boxed value each), then validating and converting
    /// them, cost about as much as the insert's B-tree work.
    func insert(_ db: Database, generation: Int64?) throws {
        let statement = try db.cachedStatement(sql: Self.insertSQL).sqliteStatement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        // A bind that fails (out of memory, too big) would leave its value NULL: a row without its
        // key would never be found as a duplicate. So every one is checked.
        var failedBind = SQLITE_OK
        func check(_ code: Int32) { if failedBind == SQLITE_OK { failedBind = code } }
        check(Self.bind(entry.deliveryID, 1, statement))
        check(Self.bind(hook, 2, statement))
        check(Self.bind(senderDeliveryID, 3, statement))
        check(Self.bind(headers, 4, statement))
        check(Self.bind(body, 5, statement))
        check(Self.bind(prompt, 6, statement))
        check(Self.bind(runID, 7, statement))
        check(sqlite3_bind_double(statement, 8, entry.receivedAt))
        check(Self.bind(state, 9, statement))
        check(Self.bind(replayOf, 10, statement))
        if let digest = key?.digest { check(Self.bind(digest, 11, statement)) }
        if let generation { check(sqlite3_bind_int64(statement, 12, generation)) }
        let code = failedBind == SQLITE_OK ? sqlite3_step(statement) : failedBind
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                sql: Self.insertSQL)
        }
    }

    /// SQLite copies the bytes before the bind call returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// Binds `text`, or leaves the parameter NULL (`sqlite3_clear_bindings` after every use).
    private static func bind(_ text: String?, _ index: Int32, _ statement: OpaquePointer) -> Int32 {
        guard var text else { return SQLITE_OK }
        return text.withUTF8 { sqlite3_bind_text(statement, index, $0.baseAddress, Int32($0.count), transient) }
    }

    /// Binds `bytes` as a blob (an empty one too: never NULL).
    private static func bind(_ bytes: [UInt8], _ index: Int32, _ statement: OpaquePointer) -> Int32 {
        if bytes.isEmpty { return sqlite3_bind_zeroblob(statement, index, 0) }
        return bytes.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), transient) }
    }

    static let insertSQL = """
        INSERT INTO deliveries (id, hook, sender_delivery_id, headers, body, prompt, run_id, received_at, state, replay_of,
                                dedupe_key, key_generation)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
}
