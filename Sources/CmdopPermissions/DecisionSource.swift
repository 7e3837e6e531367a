/// Which stage of the gate produced a decision.
public enum DecisionSource: String, Sendable, CaseIterable {
    /// The built-in floor (or an unparseable command); never bypassed.
    case floor
    /// A rule from one of the policy layers.
    case rule
    /// The mode's default for requests no rule matched.
    case mode
}
