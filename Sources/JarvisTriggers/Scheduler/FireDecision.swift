/// What became of a fire: it started, it waits behind the running one, or it was skipped.
public enum FireDecision: Sendable, Hashable {
    /// The launcher is called under this run id (after the previous run stops, for cancel-previous).
    case started(runID: String)
    /// It runs under this run id when the current run ends (`overlap: queue`).
    case queued(runID: String)
    /// It did not run; the reason is also in the history.
    case skipped(reason: String)

    /// The run id, unless the fire was skipped.
    public var runID: String? {
        switch self {
        case .started(let runID), .queued(let runID): runID
        case .skipped: nil
        }
    }
}
