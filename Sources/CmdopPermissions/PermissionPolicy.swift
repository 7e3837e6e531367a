import Yams

/// One layer of permission rules with its mode, as stored in a `permissions.yaml`.
///
/// ```yaml
/// mode: strict          # default | strict | bypass
/// allow: ["execute_command(git *)", "read_file(/var/log/**)"]
/// ask:   ["execute_command(systemctl restart *)"]
/// deny:  ["execute_command(rm **)"]
/// ```
///
/// Rules are kept grouped by effect (allow, ask, deny), each group in the order
/// written, so that `PermissionPolicy(yaml: p.yaml(), source:) == p`.
public struct PermissionPolicy: Sendable, Equatable {
    /// The top-level keys a policy file may have.
    public static let keys = ["mode", "allow", "ask", "deny"]

    /// The mode written in the file (`default` when absent).
    public var mode: PermissionMode
    /// The rules, grouped allow, ask, deny.
    public private(set) var rules: [PermissionRule]

    /// A policy with the given mode and rules (regrouped by effect, order kept within each).
    public init(mode: PermissionMode = .default, rules: [PermissionRule] = []) {
        self.mode = mode
        self.rules = Decision.allCases.flatMap { effect in rules.filter { $0.effect == effect } }
    }

    /// Parses a policy file; `source` (usually the file path) starts every error message.
    ///
    /// An empty file is mode `default` with no rules. Unknown keys, wrong types, an
    /// unknown mode and malformed rules are errors.
    public init(yaml: String, source: String) throws(PolicyError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw PermissionPolicy.syntaxError(error, source: source)
        }
        guard let root, !PolicyYAML.isNull(root) else {
            self.init()
            return
        }
        guard case .mapping(let mapping) = root else {
            throw PolicyError(
                source: source, line: root.mark?.line,
                problem: "the top level must be a mapping with keys mode, allow, ask, deny; "
                    + "found \(PolicyYAML.describe(root))")
        }
        var mode = PermissionMode.default
        var rules: [PermissionRule] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            let line = keyNode.mark?.line
            guard case .scalar(let scalar) = keyNode else {
                throw PolicyError(source: source, line: line, problem: "keys must be plain words like mode or allow; "
                    + "found \(PolicyYAML.describe(keyNode))")
            }
            let key = scalar.string
            guard PermissionPolicy.keys.contains(key) else {
                let expected = PermissionPolicy.keys.joined(separator: ", ")
                throw PolicyError(source: source, key: key, line: line,
                    problem: "key '\(key)' is not known; expected one of \(expected)")
            }
            guard seen.insert(key).inserted else {
                throw PolicyError(source: source, key: key, line: line,
                    problem: "key '\(key)' appears twice; keep one and merge their values")
            }
            if key == "mode" {
                mode = try PolicyYAML.mode(value, source: source)
            } else if let effect = Decision(name: key) {
                rules += try PolicyYAML.rules(value, key: key, effect: effect, source: source)
            }
        }
        self.init(mode: mode, rules: rules)
    }

    /// The rules with the given effect, in order.
    public func rules(_ effect: Decision) -> [PermissionRule] {
        rules.filter { $0.effect == effect }
    }

    /// The policy as YAML that parses back to an equal policy.
    public func yaml() -> String {
        var lines = ["mode: \(mode.rawValue)"]
        for effect in Decision.allCases {
            let group = rules(effect)
            if group.isEmpty {
                lines.append("\(effect): []")
            } else {
                lines.append("\(effect):")
                lines += group.map { "  - \(PolicyYAML.quote($0.text))" }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// This policy with `rule` added after the others of its effect (unchanged if already present).
    public func adding(_ rule: PermissionRule) -> PermissionPolicy {
        guard !rules.contains(rule) else { return self }
        return PermissionPolicy(mode: mode, rules: rules + [rule])
    }

    /// This policy with the rule `text` added with `effect`; throws if the text is malformed.
    public func adding(_ text: String, effect: Decision) throws(RuleParseError) -> PermissionPolicy {
        adding(try PermissionRule(text, effect: effect))
    }

    /// This policy without the rule `text` (only with `effect`, when given).
    public func removing(_ text: String, effect: Decision? = nil) -> PermissionPolicy {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return PermissionPolicy(mode: mode, rules: rules.filter {
            !($0.text == trimmed && (effect == nil || $0.effect == effect))
        })
    }

    private static func syntaxError(_ error: any Error, source: String) -> PolicyError {
        let fix = "check the indentation, and quote rules that start with * or contain ': ' or ' #'"
        guard let yamlError = error as? YamlError else {
            return PolicyError(source: source, problem: "is not valid YAML: \(error); \(fix)")
        }
        switch yamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            let place = "line \(mark.line), column \(mark.column)"
            return PolicyError(
                source: source, line: mark.line, problem: "is not valid YAML at \(place): \(problem); \(fix)")
        case .duplicatedKeysInMapping(let duplicates, _):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return PolicyError(source: source, key: duplicates.sorted().first,
                               problem: "key \(keys) appears twice; keep one and merge their values")
        default:
            return PolicyError(source: source, problem: "is not valid YAML: \(yamlError); \(fix)")
        }
    }
}
