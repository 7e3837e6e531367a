public import Foundation
import GRDB

/// One run as the API lists it: where it belongs, whether it finished and how, and its spend.
public struct RunSummary: Sendable, Equatable {
    public var id: String
    public var sessionID: String
    public var actor: String
    /// `running` or `finished`.
    public var status: String
    public var stop: String?
    public var answer: String?
    public var turns: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var cost: Double
    public var updatedAt: Date

    init(row: Row) {
        id = row["id"]
        sessionID = row["session_id"]
        actor = row["actor"]
        status = row["status"]
        stop = row["stop"]
        answer = row["answer"]
        turns = row["turns"]
        inputTokens = row["input_tokens"]
        outputTokens = row["output_tokens"]
        cost = row["cost"]
        updatedAt = Date(timeIntervalSince1970: row["updated_at"])
    }
}
