/// How a run ended, as stored in trigger history and on webhook deliveries.
public enum RunOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The run finished its work.
    case succeeded
    /// The run ended with an error; `reason` says why, for the person reading the history.
    case failed(reason: String)
    /// The run was stopped before it finished (cancel-previous, shutdown, an operator).
    case cancelled

    /// The stored word: `succeeded`, `failed` or `cancelled`.
    public var label: String {
        switch self {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .cancelled: "cancelled"
        }
    }

    /// The failure reason, when the run failed.
    public var reason: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }

    /// Rebuilds an outcome from its stored word and reason; nil for any other word.
    init?(label: String, reason: String?) {
        switch label {
        case "succeeded": self = .succeeded
        case "failed": self = .failed(reason: reason ?? "no reason was recorded")
        case "cancelled": self = .cancelled
        default: return nil
        }
    }

    public var description: String { reason.map { "failed: \($0)" } ?? label }
}
