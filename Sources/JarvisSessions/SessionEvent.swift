import Foundation

/// One entry of a session's append-only log. `seq` numbers a session's events from 1, without gaps.
public struct SessionEvent: Codable, Sendable, Equatable {
    /// What happened: `user_message`, `token`, `tool_started`, `tool_finished`, `approval_requested`,
    /// `approval_decided`, `run_finished`.
    public var kind: String
    /// The event's facts (text, tool name, arguments, outcome …) as JSON text.
    public var payload: String
    public var seq: Int64
    public var ts: String

    public init(kind: String, payload: String = "{}") {
        self.kind = kind
        self.payload = payload
        self.seq = 0
        self.ts = ""
    }
}

/// A chat session: it belongs to one fleet and outlives every client attached to it.
public struct SessionRecord: Sendable, Equatable {
    public var id: String
    public var fleetID: String
    public var title: String
    public var createdAt: Date
}

/// A session that does not exist in the caller's fleet.
public struct SessionNotFound: Error, Sendable, CustomStringConvertible {
    public let id: String
    public var description: String { "no session \(id) in this fleet" }
}
