/// Why shell text could not be split into commands safely.
public struct ShellParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong, e.g. `unterminated single quote`.
    public var problem: String

    public init(_ problem: String) {
        self.problem = problem
    }

    public var description: String { problem }
}
