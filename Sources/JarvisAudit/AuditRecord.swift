import Foundation

/// One link of jarvis's audit chain: what happened, in which run, and the hashes that bind it to
/// the record before it.
///
/// Kinds link a run end to end: `run_started` (session or trigger) → `prompt` → for each model turn
/// `model_output` (turn, digest of its text and tool calls, the tools it called) → for each call
/// `gate_decision` → `approval_requested`/`approval_decided` (who, when) → `command` (machine, exit
/// code, output digest) → … → `run_finished` (stop, spend, answer digest).
public struct AuditRecord: Codable, Sendable, Equatable {
    /// Position in the chain, from 1, without gaps.
    public var seq: Int64
    /// RFC 3339 time of the event.
    public var ts: String
    public var kind: String
    public var runID: String
    public var sessionID: String
    /// Who acted: `jarvis`, `operator:cmdop_ab12…`, `approver:…`, `trigger:nightly`.
    public var actor: String
    /// The machine or tool the event concerns, if any.
    public var target: String
    /// Further facts as text (decision, rule, exit code, digests …); never a secret.
    public var details: [String: String]
    /// The `hash` of the record before (64 zeros for the first).
    public var prevHash: String
    /// SHA-256 over `prevHash` and this record's canonical JSON without `hash`.
    public var hash: String

    public init(kind: String, runID: String, sessionID: String = "", actor: String, target: String = "",
                details: [String: String] = [:], ts: Date = Date()) {
        self.seq = 0
        self.ts = AuditRecord.format(ts)
        self.kind = kind
        self.runID = runID
        self.sessionID = sessionID
        self.actor = actor
        self.target = target
        self.details = details
        self.prevHash = ""
        self.hash = ""
    }

    enum CodingKeys: String, CodingKey {
        case seq, ts, kind, actor, target, details, hash
        case runID = "run_id", sessionID = "session_id", prevHash = "prev_hash"
    }

    /// The bytes the hash covers: every field but `hash`, as JSON with sorted keys.
    func canonicalBytes() -> [UInt8] {
        var unhashed = self
        unhashed.hash = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(unhashed)) ?? Data())
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static let genesis = String(repeating: "0", count: 64)
}
