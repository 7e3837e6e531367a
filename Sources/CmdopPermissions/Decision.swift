/// The outcome of a permission check, ordered from most to least permissive.
///
/// `Decision` is `Comparable` so that combining several decisions is simply
/// `max(_:_:)`: the strictest one wins (`allow < ask < deny`).
public enum Decision: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    /// Run without asking.
    case allow
    /// Ask the operator before running.
    case ask
    /// Refuse.
    case deny

    public static func < (lhs: Decision, rhs: Decision) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The lower-case name used in policy files and reasons (`allow`, `ask`, `deny`).
    public var description: String {
        switch self {
        case .allow: "allow"
        case .ask: "ask"
        case .deny: "deny"
        }
    }

    /// Parses a lower-case name as written in a policy file.
    public init?(name: String) {
        guard let match = Decision.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}
