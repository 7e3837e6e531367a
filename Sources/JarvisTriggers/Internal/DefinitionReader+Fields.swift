import Foundation
import Yams

/// Keys that triggers and webhooks share: name, targets, model, budget, environment variable names.
extension DefinitionReader {
    /// The `name:` value, or the file stem when there is none.
    func name(_ node: Node?, root: Node, stem: String, kind: String) throws -> String {
        if let node {
            let text = try string(node, "name")
            guard Self.isValidName(text) else {
                throw fail(node, "name", "'\(text)' may only use a-z, 0-9, '-' and '_' (at most 64 characters).")
            }
            return text
        }
        guard Self.isValidName(stem) else {
            throw fail(root, "name", "the file name '\(stem)' is not a valid \(kind) name (a-z, 0-9, '-', '_'); "
                + "rename the file or add `name: \(Self.suggestedName(stem))`.")
        }
        return stem
    }

    /// `targets: all` or a list of machine names and prefixes.
    func targets(_ node: Node, _ key: String) throws -> TargetSelection {
        if case .scalar(let scalar) = node {
            guard scalar.string == "all" else {
                throw fail(node, key, "'\(scalar.string)' is not a target list. Write `all`, or a list such as [web-1, db-].")
            }
            return .all
        }
        let names = try stringList(node, key, example: "[web-1, db-]")
        var unique: [String] = []
        for (index, name) in names.enumerated() {
            guard name != "all" || names.count == 1 else {
                throw fail(node, "\(key)[\(index)]", "`all` cannot be mixed with machine names; write `targets: all` alone.")
            }
            if !unique.contains(name) { unique.append(name) }
        }
        return unique == ["all"] ? .all : .machines(unique)
    }

    /// `model:` — an alias such as `@fast`, or a model name.
    func model(_ node: Node, _ key: String) throws -> String {
        let text = try string(node, key)
        guard !text.contains(where: \.isWhitespace) else {
            throw fail(node, key, "'\(text)' contains spaces; name a model alias such as `@fast` or a model such as `qwen2.5:7b`.")
        }
        return text
    }

    /// `budget:` with `max_turns`, `max_tokens`, `max_cost` and `timeout`.
    func limits(_ node: Node, _ key: String) throws -> RunLimits {
        var limits = RunLimits()
        for entry in try mapping(node, key, allowed: ["max_turns", "max_tokens", "max_cost", "timeout"]) {
            switch entry.name {
            case "max_turns": limits.maxTurns = try integer(entry.value, entry.path, in: 1...50)
            case "max_tokens": limits.maxTokens = try integer(entry.value, entry.path, in: 1...100_000_000, unit: "tokens")
            case "max_cost": limits.maxCost = try number(entry.value, entry.path)
            default: limits.timeout = .seconds(try integer(entry.value, entry.path, in: 1...600, unit: "seconds"))
            }
        }
        return limits
    }

    /// The NAME of an environment variable (never its value), whose value must be set in `environment`.
    /// - Returns: the name and its value.
    func environmentVariable(_ node: Node, _ key: String, environment: [String: String]) throws -> (name: String, value: String) {
        let name = try environmentVariableName(node, key)
        guard let value = environment[name], !value.isEmpty else {
            throw fail(node, key, "the environment variable \(name) is not set. Export it (the secret goes there, never in "
                + "this file) before starting jarvis, or fix the name.")
        }
        return (name, value)
    }

    /// The NAME of an environment variable: a name, never a secret pasted in its place.
    func environmentVariableName(_ node: Node, _ key: String) throws -> String {
        let name = try string(node, key)
        let looksLikeName = name.utf8.first.map { !($0 >= 0x30 && $0 <= 0x39) } ?? false
            && name.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        let secretPrefixes = ["whsec_", "whsk_", "whpk_", "ghp_", "gho_", "github_pat_", "sha256="]
        guard looksLikeName, name.count <= 64, !secretPrefixes.contains(where: { name.hasPrefix($0) }) else {
            throw fail(node, key, "takes the NAME of an environment variable (e.g. GITHUB_WEBHOOK_SECRET), never the secret "
                + "itself. Put the secret in that variable and remove it from this file.")
        }
        return name
    }

    /// A lower-case, dash-separated version of `text` that is a valid name.
    static func suggestedName(_ text: String) -> String {
        let mapped = text.lowercased().map { character -> Character in
            isValidName(String(character)) ? character : "-"
        }
        let name = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return name.isEmpty ? "my-trigger" : String(name.prefix(64))
    }
}
