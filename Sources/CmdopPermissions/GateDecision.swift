/// The gate's answer to one request: what to do, who decided and why.
public struct GateDecision: Sendable, Equatable {
    /// What to do with the request.
    public var decision: Decision
    /// Which stage decided.
    public var source: DecisionSource
    /// The text of the rule that decided (for `source == .rule`), so the caller can hash it into a rule id.
    public var rule: String?
    /// A human readable explanation, e.g. `rule deny execute_command(rm **)`.
    public var reason: String

    public init(decision: Decision, source: DecisionSource, rule: String? = nil, reason: String) {
        self.decision = decision
        self.source = source
        self.rule = rule
        self.reason = reason
    }

    /// A floor denial with the given reason (the `floor: ` prefix is added).
    static func floor(_ reason: String) -> GateDecision {
        GateDecision(decision: .deny, source: .floor, reason: "floor: \(reason)")
    }

    /// The denial for a command that could not be split into parts safely.
    static func unparseable(_ detail: String) -> GateDecision {
        GateDecision(decision: .deny, source: .floor, reason: "could not parse command safely: \(detail)")
    }

    /// How decisive a source is when two parts tie on strictness: floor beats rule beats mode.
    var sourceRank: Int {
        switch source {
        case .floor: 2
        case .rule: 1
        case .mode: 0
        }
    }
}
