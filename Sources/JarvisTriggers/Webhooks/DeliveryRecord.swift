import Foundation
import GRDB

/// A delivery ready to store: every value bound by the insert and by its de-duplication look-up
/// is computed by the caller's task, so the single writer only executes statements.
struct DeliveryRecord: Sendable {
    /// `hook`, the key's digest and the oldest time a duplicate may have, for `duplicateSQL`; nil:
    /// the delivery has no de-duplication key.
    let lookup: StatementArguments?
    /// The values of `insertSQL`.
    let values: StatementArguments

    init(_ delivery: Delivery, dedupeKey: String?, dedupeSince: Date) {
        let digest = dedupeKey.map { Data(DeliveryStore.dedupeDigest($0)) }
        lookup = digest.map { [delivery.hook, $0, dedupeSince.timeIntervalSince1970] }
        let headers = String(decoding: IntakeResponse(status: 0, fields: delivery.headers).body, as: UTF8.self)
        values = [delivery.id, delivery.hook, delivery.senderDeliveryID, headers, Data(delivery.body), delivery.prompt,
                  delivery.runID, delivery.receivedAt.timeIntervalSince1970, delivery.state.rawValue, delivery.replayOf, digest]
    }

    static let insertSQL = """
        INSERT INTO deliveries (id, hook, sender_delivery_id, headers, body, prompt, run_id, received_at, state, replay_of, dedupe_key)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The id of the newest delivery under the key since the time (the whole row is read only for
    /// an actual duplicate).
    static let duplicateSQL = """
        SELECT id FROM deliveries WHERE hook = ? AND dedupe_key = ? AND received_at >= ? ORDER BY received_at DESC LIMIT 1
        """
}
