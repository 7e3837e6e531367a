import Foundation

/// One allow, ask or deny rule: `tool` or `tool(body)`.
///
/// The body is an argument glob (`execute_command(git *)`), an operation
/// (`files(read)`), or `qualifier:argGlob` (`run_command(web-*:systemctl restart *)`).
/// The qualifier exists only when the text before the first `:` is non-empty and made
/// of `[A-Za-z0-9_.*?-[]]`, so `execute_command(curl http://*)` is a plain command
/// glob; it matches the request's target host or its operation. The tool name may
/// itself be a glob (`*`, `*_file`).
public struct PermissionRule: Sendable, Equatable, CustomStringConvertible {
    /// The rule as written (trimmed), e.g. `execute_command(git *)`.
    public let text: String
    /// What the rule decides when it matches.
    public let effect: Decision
    /// The tool name glob.
    public let tool: String
    /// The host (or operation) glob before `:`, if any.
    public let qualifier: String?
    /// The argument glob (or operation name); `nil` for a bare tool rule.
    public let pattern: String?

    /// The characters of tool names and qualifiers: `[A-Za-z0-9_.*?-[]]`.
    private static let toolCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-*?[]")

    /// Parses `text` as a rule with the given effect.
    public init(_ text: String, effect: Decision) throws(RuleParseError) {
        let rule = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !rule.isEmpty else { throw .empty }
        self.text = rule
        self.effect = effect
        var body: String?
        let tool: String
        if let open = rule.firstIndex(of: "(") {
            tool = rule[..<open].trimmingCharacters(in: .whitespaces)
            guard !tool.isEmpty else { throw .emptyToolName(rule: rule) }
            guard let close = rule.lastIndex(of: ")") else {
                throw .unbalancedParenthesis(rule: rule, problem: "'(' is never closed; add ')' at the end")
            }
            let trailing = rule[rule.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard trailing.isEmpty else { throw .textAfterClosingParenthesis(rule: rule, trailing: trailing) }
            let inner = String(rule[rule.index(after: open)..<close])
            var depth = 0
            for c in inner {
                if c == "(" { depth += 1 }
                if c == ")" { depth -= 1 }
                if depth < 0 {
                    throw .unbalancedParenthesis(rule: rule, problem: "a ')' inside the pattern has no '('")
                }
            }
            guard depth == 0 else {
                throw .unbalancedParenthesis(rule: rule, problem: "a '(' inside the pattern is never closed")
            }
            let trimmed = inner.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw .emptyParentheses(rule: rule, tool: tool) }
            body = trimmed
        } else if rule.contains(")") {
            throw .unbalancedParenthesis(rule: rule, problem: "')' has no '(' before it")
        } else {
            tool = rule
        }
        guard tool.unicodeScalars.allSatisfy(PermissionRule.toolCharacters.contains) else {
            throw .invalidToolName(rule: rule, tool: tool)
        }
        self.tool = tool
        (qualifier, pattern) = body.map(PermissionRule.splitQualifier) ?? (nil, nil)
        if let qualifier, pattern?.isEmpty == true {
            throw .invalidPattern(
                rule: rule, pattern: qualifier + ":",
                problem: "nothing after ':'; write \(tool)(\(qualifier):**) to match every call on \(qualifier)")
        }
        for part in [tool, qualifier, pattern].compactMap({ $0 }) {
            do {
                _ = try Glob(part, separator: nil)
            } catch {
                throw .invalidPattern(rule: rule, pattern: part, problem: error.problem)
            }
        }
    }

    /// The rule text; what `GateDecision.rule` carries.
    public var description: String { text }

    /// Splits `web-*:systemctl restart *` into its qualifier and glob.
    static func splitQualifier(_ body: String) -> (String?, String) {
        guard let colon = body.firstIndex(of: ":") else { return (nil, body) }
        let prefix = body[..<colon]
        guard !prefix.isEmpty, prefix.unicodeScalars.allSatisfy(toolCharacters.contains) else { return (nil, body) }
        let rest = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return (String(prefix), rest)
    }
}
