import Foundation
import GRDB
import Synchronization

/// Which de-duplication keys `delivery_keys` holds, in memory, so the writer searches that table
/// only for a key it may hold. Nearly every delivery's key is new, and a hash look-up here is far
/// cheaper than a search of the table's B-tree (about 6 µs per delivery with 500,000 keys written).
///
/// Kept by fingerprint (a key digest's first 8 bytes, which are uniform: `delivery_keys.prefix`)
/// with a count of the rows sharing it: a row written adds one and a row pruned takes one away, so
/// the set follows the table exactly and is never rebuilt. Two keys sharing a fingerprint (one pair in about 2^64, or the same
/// digest under two hooks) cost a search, never a missed duplicate. It holds what the table holds
/// (the keys of the longest replay window plus a day), at about 30 bytes per key.
///
/// Counts change only after the transaction that wrote or deleted their rows commits. The writer
/// adds and looks up; pruning, on another thread, removes. A count may go below zero for a moment,
/// when a row is pruned between its write's commit and the writer's add; a key is present above zero.
final class WrittenKeySet: Sendable {
    private let counts: Mutex<[UInt64: Int32]>

    private init(counts: [UInt64: Int32]) {
        self.counts = Mutex(counts)
    }

    /// Whether a row of `delivery_keys` may hold a key with this fingerprint.
    func mayContain(_ fingerprint: UInt64) -> Bool {
        counts.withLock { ($0[fingerprint] ?? 0) > 0 }
    }

    /// Counts rows committed to `delivery_keys` with these fingerprints.
    func added(_ fingerprints: [UInt64]) {
        change(fingerprints, by: 1)
    }

    /// Counts rows deleted (and committed) from `delivery_keys` with these fingerprints.
    func removed(_ fingerprints: [UInt64]) {
        change(fingerprints, by: -1)
    }

    /// How many distinct fingerprints are held.
    var count: Int { counts.withLock { $0.count } }

    /// How many rows the counts add up to (what `delivery_keys` should hold).
    var rowCount: Int { counts.withLock { $0.values.reduce(0) { $0 + Int($1) } } }

    private func change(_ fingerprints: [UInt64], by delta: Int32) {
        guard !fingerprints.isEmpty else { return }
        counts.withLock { counts in
            for fingerprint in fingerprints {
                let count = (counts[fingerprint] ?? 0) + delta
                counts[fingerprint] = count == 0 ? nil : count
            }
        }
    }

    /// The set as `delivery_keys` holds it now.
    static func load(_ db: Database) throws -> WrittenKeySet {
        var counts: [UInt64: Int32] = [:]
        counts.reserveCapacity(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery_keys") ?? 0)
        let prefixes = try Int64.fetchCursor(db, sql: "SELECT prefix FROM delivery_keys")
        while let prefix = try prefixes.next() {
            counts[UInt64(bitPattern: prefix), default: 0] += 1
        }
        return WrittenKeySet(counts: counts)
    }
}
