import Foundation
import GRDB

/// A delivery ready to store: every value its insert binds is computed by the caller's task, so
/// the single writer only looks up its key and executes the statement.
struct DeliveryRecord: Sendable {
    /// What makes a later delivery the same one; nil: the delivery is never a duplicate.
    let key: DeliveryKey?
    /// The oldest time a delivery under `key` still makes this one a duplicate (seconds since 1970).
    let since: Double
    /// How the key index remembers this delivery once stored.
    let entry: DeliveryKeyIndex.Entry
    /// The values of `insertSQL` but the last (`key_generation`, known only to the writer).
    let values: StatementArguments

    init(_ delivery: Delivery, dedupeKey: String?, dedupeSince: Date) {
        let digest = dedupeKey.map(DeliveryStore.dedupeDigest)
        key = digest.map { DeliveryKey(hook: delivery.hook, digest: $0) }
        since = dedupeSince.timeIntervalSince1970
        entry = DeliveryKeyIndex.Entry(deliveryID: delivery.id, receivedAt: delivery.receivedAt.timeIntervalSince1970)
        let headers = String(decoding: IntakeResponse(status: 0, fields: delivery.headers).body, as: UTF8.self)
        values = [delivery.id, delivery.hook, delivery.senderDeliveryID, headers, Data(delivery.body), delivery.prompt,
                  delivery.runID, entry.receivedAt, delivery.state.rawValue, delivery.replayOf, digest.map { Data($0) }]
    }

    /// Binds `values` then the row's key generation (nil for rows stored outside the writer: replays).
    static let insertSQL = """
        INSERT INTO deliveries (id, hook, sender_delivery_id, headers, body, prompt, run_id, received_at, state, replay_of,
                                dedupe_key, key_generation)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
}
