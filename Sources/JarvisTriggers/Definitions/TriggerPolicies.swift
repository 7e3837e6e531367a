/// What a trigger does when it comes due while its previous run is still running (`overlap:`).
public enum OverlapPolicy: String, Sendable, Hashable, CaseIterable {
    /// Record the fire as skipped and let the running one finish (the default).
    case skip
    /// Run it after the running one ends; at most one waits, later fires are skipped.
    case queue
    /// Cancel the running one, and start this one once it has stopped.
    case cancelPrevious = "cancel-previous"
}

/// What a trigger does about fires that fell while the scheduler was not running (`missed:`).
public enum MissedRunPolicy: String, Sendable, Hashable, CaseIterable {
    /// Run nothing for them; one `missed` history row records how many (the default).
    case skip
    /// Run exactly one catch-up fire for them, however many there were.
    case runOnce = "run-once"
}
