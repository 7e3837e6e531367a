/// The result of ``LLMDoctor/check(_:)``: one line per check, each failure with its fix.
public struct DoctorReport: Sendable, Hashable, CustomStringConvertible {
    /// One check.
    public struct Check: Sendable, Hashable {
        /// Outcome of a check.
        public enum Status: String, Sendable, Hashable {
            case passed, failed, skipped
        }

        /// What was checked, e.g. `models listed`.
        public var name: String
        /// The outcome.
        public var status: Status
        /// What was found.
        public var detail: String
        /// What to do about a failure.
        public var fix: String?
        /// How long the check took.
        public var duration: Duration
    }

    /// The provider checked.
    public var provider: String
    /// Its endpoint.
    public var baseURL: String
    /// Checks in order.
    public var checks: [Check]

    /// Whether every check that ran passed.
    public var isHealthy: Bool { !checks.contains { $0.status == .failed } }

    /// A plain-text report for the terminal.
    public var description: String {
        var lines = ["provider \(provider) (\(baseURL))"]
        for check in checks {
            let mark = check.status == .passed ? "ok  " : check.status == .failed ? "FAIL" : "skip"
            let millis = Int(check.duration.seconds * 1000)
            lines.append("  \(mark) \(check.name): \(check.detail) [\(millis) ms]")
            if let fix = check.fix { lines.append("       fix: \(fix)") }
        }
        lines.append(isHealthy ? "healthy" : "unhealthy")
        return lines.joined(separator: "\n")
    }
}
