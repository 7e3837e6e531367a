/// Why a rule's text is malformed; each message says what is wrong and how to write it.
public enum RuleParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The rule is empty or only whitespace.
    case empty
    /// Nothing before `(`, as in `(git *)`.
    case emptyToolName(rule: String)
    /// A `(` without its `)` or the other way round; `problem` says which.
    case unbalancedParenthesis(rule: String, problem: String)
    /// Text after the closing `)`, as in `execute_command(git *) now`.
    case textAfterClosingParenthesis(rule: String, trailing: String)
    /// `tool()` with nothing inside.
    case emptyParentheses(rule: String, tool: String)
    /// The tool name has characters a tool name cannot have.
    case invalidToolName(rule: String, tool: String)
    /// A glob in the rule does not compile.
    case invalidPattern(rule: String, pattern: String, problem: String)

    /// How to write a rule, appended to most messages.
    static let howTo = "write it as tool or tool(pattern), e.g. execute_command(git *) or write_file(~/projects/**)"

    public var description: String {
        switch self {
        case .empty:
            return "the rule is empty; \(RuleParseError.howTo)"
        case .emptyToolName(let rule):
            return "'\(rule)' has no tool name before '('; \(RuleParseError.howTo)"
        case .unbalancedParenthesis(let rule, let problem):
            return "'\(rule)' has an unbalanced parenthesis: \(problem); \(RuleParseError.howTo)"
        case .textAfterClosingParenthesis(let rule, let trailing):
            return "'\(rule)' has text after the closing ')': '\(trailing)'; "
                + "put the whole pattern inside the parentheses"
        case .emptyParentheses(let rule, let tool):
            return "'\(rule)' has empty parentheses; write \(tool) to match every call, "
                + "or put a pattern inside, e.g. \(tool)(**)"
        case .invalidToolName(let rule, let tool):
            return "'\(rule)' has tool name '\(tool)', which may only contain letters, digits, "
                + "'_', '-', '.' and glob characters (* ? [ ]); e.g. execute_command or *_file"
        case .invalidPattern(let rule, let pattern, let problem):
            return "'\(rule)' has a bad pattern '\(pattern)': \(problem)"
        }
    }
}
