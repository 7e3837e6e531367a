import Foundation
import GRDB

/// Row mapping for `DeliveryStore`.
extension DeliveryStore {
    /// One delivery by our id.
    static func delivery(_ db: Database, id: String) throws -> Delivery? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM deliveries WHERE id = ?"), arguments: [id]).flatMap(delivery)
    }

    static func delivery(_ row: Row) -> Delivery? {
        guard let state = Delivery.State(rawValue: row["state"]) else { return nil }
        let headerText: String = row["headers"]
        let headers = (try? JSONDecoder().decode([String: String].self, from: Data(headerText.utf8))) ?? [:]
        let body: Data = row["body"] ?? Data()
        return Delivery(
            id: row["id"], hook: row["hook"], senderDeliveryID: row["sender_delivery_id"], headers: headers, body: Array(body),
            prompt: row["prompt"], runID: row["run_id"], receivedAt: Date(timeIntervalSince1970: row["received_at"]),
            state: state,
            startedAt: (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            outcome: (row["outcome"] as String?).flatMap { RunOutcome(label: $0, reason: row["reason"]) },
            replayOf: row["replay_of"])
    }
}
