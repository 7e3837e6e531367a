import Foundation
import GRDB

/// Row mapping for `DeliveryStore`.
extension DeliveryStore {
    static func insert(_ db: Database, _ delivery: Delivery) throws {
        let headers = String(decoding: IntakeResponse(status: 0, fields: delivery.headers).body, as: UTF8.self)
        try db.cachedStatement(sql: """
            INSERT INTO deliveries (id, hook, sender_delivery_id, headers, body, prompt, run_id, received_at, state, replay_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [delivery.id, delivery.hook, delivery.senderDeliveryID, headers, Data(delivery.body), delivery.prompt,
                             delivery.runID, delivery.receivedAt.timeIntervalSince1970, delivery.state.rawValue, delivery.replayOf])
    }

    static func duplicate(_ db: Database, hook: String, senderDeliveryID: String, since: Date) throws -> Delivery? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT d.* FROM delivery_ids i JOIN deliveries d ON d.id = i.delivery_id
            WHERE i.hook = ? AND i.sender_delivery_id = ? AND i.received_at >= ?
            """), arguments: [hook, senderDeliveryID, since.timeIntervalSince1970]).flatMap(delivery)
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
