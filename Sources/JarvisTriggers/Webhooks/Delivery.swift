import Foundation

/// A webhook delivery as stored: accepted → started → finished, each at most once.
public struct Delivery: Sendable, Hashable {
    /// Where a delivery is in its life.
    public enum State: String, Sendable, Hashable {
        /// Stored and answered 202; no run has picked it up yet.
        case accepted
        /// A run has claimed it (`markStarted`).
        case started
        /// Its run ended (`markFinished`).
        case finished
    }

    /// Our id for the delivery (a time-ordered UUID, `TimeOrderedID`); replay and the runtime use it.
    public let id: String
    /// The webhook's name.
    public let hook: String
    /// The sender's delivery id (e.g. `X-GitHub-Delivery`), the de-duplication key; nil when none.
    public let senderDeliveryID: String?
    /// The request headers, lower-cased, with credentials (authorization, cookies) removed.
    public let headers: [String: String]
    /// The raw body exactly as received.
    public let body: [UInt8]
    /// The prompt rendered from the template at intake.
    public let prompt: String
    /// The run id answered in the 202, generated at intake.
    public let runID: String
    /// When it was received.
    public let receivedAt: Date
    /// Where it is in its life.
    public let state: State
    /// When a run claimed it.
    public let startedAt: Date?
    /// When its run ended.
    public let finishedAt: Date?
    /// How its run ended, once finished.
    public let outcome: RunOutcome?
    /// The delivery this one replays, for replays.
    public let replayOf: String?
}
