/// A rule with its globs compiled once, ready to match requests quickly.
final class CompiledRule: Sendable {
    /// The rule as parsed.
    let rule: PermissionRule
    /// How specific the rule is: the number of literal characters in its globs.
    let specificity: Int
    /// The pattern's first word when it is plain text (no wildcards): the program a command rule
    /// names outright, as in `execute_command(./deploy.sh *)`.
    let leadingLiteralWord: String?
    private let tool: Glob
    private let qualifier: Glob?
    private let commandGlob: Glob?
    private let pathGlob: Glob?
    private let hostGlob: Glob?

    init(_ rule: PermissionRule, resolver: PathResolver) {
        self.rule = rule
        tool = (try? Glob(rule.tool, separator: nil)) ?? .never
        qualifier = rule.qualifier.map { (try? Glob($0.lowercased(), separator: nil)) ?? .never }
        if let pattern = rule.pattern {
            commandGlob = (try? Glob.command(pattern)) ?? .never
            pathGlob = (try? Glob(resolver.resolvePattern(pattern), separator: "/")) ?? .never
            hostGlob = (try? Glob(pattern.lowercased(), separator: nil)) ?? .never
        } else {
            commandGlob = nil
            pathGlob = nil
            hostGlob = nil
        }
        let first = rule.pattern?.split(whereSeparator: \.isWhitespace).first.map(String.init)
        leadingLiteralWord = first.flatMap { word in word.contains(where: { "*?[\\".contains($0) }) ? nil : word }
        let plain = [rule.tool, rule.qualifier, rule.pattern].compactMap { $0 }
        specificity = plain.reduce(0) { $0 + ((try? Glob($1, separator: nil))?.literalCount ?? 0) }
    }

    /// Whether the rule's tool glob covers `tool`.
    func matchesTool(_ tool: String) -> Bool { self.tool.matches(tool) }

    /// Whether the rule applies to `request`, whose subject has the given candidate values.
    ///
    /// - Parameters:
    ///   - kind: which glob of the body applies (command, path or host).
    ///   - values: the subject in every form a rule may match (a command's unwrapped
    ///     forms, a resolved path, a lower-cased host); the rule matches if any does.
    ///   - host: the machine the call runs on, for the qualifier.
    func matches(_ request: GateRequest, kind: ToolKind, values: [String], host: String?) -> Bool {
        guard tool.matches(request.tool) else { return false }
        guard let pattern = rule.pattern else { return true }
        if rule.qualifier == nil, let operation = request.operation, operation == pattern { return true }
        if let qualifier {
            let onHost = host.map { qualifier.matches($0.lowercased()) } ?? false
            let onOperation = request.operation.map { qualifier.matches($0.lowercased()) } ?? false
            guard onHost || onOperation else { return false }
        }
        let glob: Glob? = switch kind {
        case .command: commandGlob
        case .path: pathGlob
        case .host: hostGlob
        }
        guard let glob else { return false }
        return values.contains(where: glob.matches)
    }
}
