import Dispatch
import Foundation
import GRDB
import Synchronization

/// Group commit for deliveries: inserts that arrive while a commit is in progress wait for the
/// next one, so many concurrent deliveries share one transaction (and one fsync) while each is
/// still committed before its caller hears back — a 202 is never sent for a delivery not on disk.
///
/// An fsync'd commit costs about as much CPU for one delivery as for ten, so under load (the last
/// commit held more than one delivery) a commit starts no sooner than `pace` after the one before,
/// letting more deliveries join it. That adds at most `pace` to a delivery's wait; a delivery
/// arriving alone is committed at once.
///
/// The writer also owns the de-duplication keys (`DeliveryKeyIndex`): it checks each delivery's
/// key, and between commits writes a chunk of a full key generation to `delivery_keys`. It
/// searches that table only for a key `WrittenKeySet` says it may hold.
final class DeliveryWriter: Sendable {
    private struct Pending {
        var record: DeliveryRecord
        var continuation: CheckedContinuation<DeliveryStore.InsertResult, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var draining = false
    }

    /// The least time between the starts of two commits under load.
    static let pace: Duration = .milliseconds(1)

    private let database: any DatabaseWriter
    private let state = Mutex(State())
    private let worker = DispatchQueue(label: "cmdop.deliveries.writer")
    /// Used only by `drain`, which runs on `worker` one call at a time (the look-ups inside a
    /// `database.write` run on GRDB's queue while `worker` waits for them), and by `init`.
    nonisolated(unsafe) private let keys: DeliveryKeyIndex
    /// The keys `delivery_keys` holds (the writer adds to it; pruning removes).
    private let writtenKeys: WrittenKeySet
    /// After a failed key chunk, when to try again (changed by `drain` only).
    nonisolated(unsafe) private var keyRetryAt = ContinuousClock.now
    /// How long a failed key chunk waits before it is tried again.
    static let keyRetryDelay: Duration = .seconds(1)

    init(database: any DatabaseWriter, keys: DeliveryKeyIndex, writtenKeys: WrittenKeySet) {
        self.database = database
        self.keys = keys
        self.writtenKeys = writtenKeys
    }

    /// Stores `record` (unless a delivery under its key is stored) in the next commit.
    func insert(_ record: DeliveryRecord) async throws -> DeliveryStore.InsertResult {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state -> Bool in
                state.queue.append(Pending(record: record, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if start { worker.async { self.drain() } }
        }
    }

    /// Commits batches, and writes key chunks, until neither is left (runs on `worker` only).
    private func drain() {
        var lastStart: ContinuousClock.Instant?
        var lastCount = 0
        while true {
            if lastCount > 1, let lastStart {
                let wait = lastStart + Self.pace - .now
                if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18) }
            }
            let keyWork = keys.hasWork && ContinuousClock.now >= keyRetryAt
            let batch = state.withLock { state -> [Pending] in
                defer { state.queue.removeAll(keepingCapacity: true) }
                if state.queue.isEmpty, !keyWork { state.draining = false }
                return state.queue
            }
            if batch.isEmpty, !keyWork { return }
            lastCount = batch.count
            if !batch.isEmpty {
                lastStart = .now
                commit(batch)
            }
            if keyWork, !writeKeyChunk() { keyRetryAt = .now + Self.keyRetryDelay }
        }
    }

    /// Stores a batch in one transaction and answers each delivery.
    private func commit(_ batch: [Pending]) {
        let generation = keys.generation
        var stored: [(DeliveryKey?, DeliveryKeyIndex.Entry)] = []
        do {
            let results = try database.writeWithoutTransaction { db in try Self.inTransaction(db) { () -> [DeliveryStore.InsertResult] in
                stored.removeAll(keepingCapacity: true)
                var batchKeys: [DeliveryKey: DeliveryKeyIndex.Entry] = [:]
                return try batch.map { pending in
                    let record = pending.record
                    if let key = record.key {
                        if let existing = try duplicate(of: key, since: record.since, batchKeys: batchKeys, db) {
                            return .duplicate(existing)
                        }
                        batchKeys[key] = record.entry
                    }
                    try record.insert(db, generation: generation)
                    stored.append((record.key, record.entry))
                    return .stored
                }
            } }
            for (key, entry) in stored { keys.recordRow(key, entry) }
            keys.closeIfFull()
            for (pending, result) in zip(batch, results) { pending.continuation.resume(returning: result) }
        } catch {
            for pending in batch { pending.continuation.resume(throwing: error) }
        }
    }

    /// `body` in an immediate transaction whose BEGIN and COMMIT come from the statement cache
    /// (GRDB's `write` prepares both again for every transaction: about 10 µs a commit); rolled
    /// back when `body` or the commit throws.
    private static func inTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            let result = try body()
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return result
        } catch {
            if db.isInsideTransaction { try? db.rollback() }
            throw error
        }
    }

    /// The stored delivery that makes one under `key` a duplicate: one earlier in this batch, one
    /// the key index holds in memory, or one in `delivery_keys` (searched only when it may hold the key).
    private func duplicate(of key: DeliveryKey, since: Double, batchKeys: [DeliveryKey: DeliveryKeyIndex.Entry],
                           _ db: Database) throws -> Delivery? {
        let id: String?
        if let entry = batchKeys[key].flatMap({ $0.receivedAt >= since ? $0 : nil }) ?? keys.newest(key, since: since) {
            id = entry.deliveryID
        } else if writtenKeys.mayContain(key.fingerprint) {
            id = try DeliveryKeyIndex.newestWritten(key, since: since, db)
        } else {
            id = nil
        }
        return try id.flatMap { try DeliveryStore.delivery(db, id: $0) }
    }

    /// Writes the next chunk of a full key generation. On failure (a full disk, say) its keys stay
    /// in memory and in their rows, so nothing is lost; the chunk is tried again after `keyRetryDelay`.
    private func writeKeyChunk() -> Bool {
        guard let chunk = keys.nextChunk() else { return true }
        do {
            let inserted = try database.write { db in try DeliveryKeyIndex.write(chunk, db) }
            // Counted before the index lets go of the chunk's keys, so no look-up misses them.
            writtenKeys.added(inserted)
            keys.written(chunk)
            return true
        } catch {
            return false
        }
    }
}
