/// What happens to a request that neither the floor nor any rule decided.
///
/// The floor holds in every mode, `bypass` included.
public enum PermissionMode: String, Sendable, CaseIterable {
    /// Unmatched requests ask the operator.
    case `default`
    /// Unmatched requests are denied.
    case strict
    /// Unmatched requests are allowed.
    case bypass

    /// The decision for a request that no rule matched.
    public var unmatchedDecision: Decision {
        switch self {
        case .default: .ask
        case .strict: .deny
        case .bypass: .allow
        }
    }
}
