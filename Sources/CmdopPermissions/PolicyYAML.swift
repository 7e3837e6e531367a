import Yams

/// Reading and writing the values of a policy file's keys, with errors that say how to fix them.
enum PolicyYAML {
    /// Whether `node` is an empty value (`~`, `null` or nothing).
    static func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.tag.rawValue == Tag.Name.null.rawValue }
        return false
    }

    /// Whether `node` is a string scalar (quoted, or plain text that is not a number, bool or null).
    static func isString(_ node: Node) -> Bool {
        node.tag.rawValue == Tag.Name.str.rawValue
    }

    /// What kind of value `node` is, for error messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let scalar):
            isString(node) ? "the string '\(scalar.string)'" : "the value '\(scalar.string)'"
        }
    }

    /// The mode in `node`: one of default, strict, bypass (empty means default).
    static func mode(_ node: Node, source: String) throws(PolicyError) -> PermissionMode {
        if isNull(node) { return .default }
        let expected = PermissionMode.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .scalar(let scalar) = node else {
            throw PolicyError(source: source, key: "mode", line: node.mark?.line,
                              problem: "key 'mode' must be one of \(expected); found \(describe(node))")
        }
        guard let mode = PermissionMode(rawValue: scalar.string.lowercased()) else {
            throw PolicyError(source: source, key: "mode", line: node.mark?.line,
                              problem: "key 'mode' has value '\(scalar.string)'; expected one of \(expected)")
        }
        return mode
    }

    /// The rules listed under `key` (allow, ask or deny).
    static func rules(
        _ node: Node, key: String, effect: Decision, source: String
    ) throws(PolicyError) -> [PermissionRule] {
        if isNull(node) { return [] }
        let example = "\(key): [\"execute_command(git *)\"]"
        guard case .sequence(let sequence) = node else {
            throw PolicyError(source: source, key: key, line: node.mark?.line,
                              problem: "key '\(key)' must be a list of rules, e.g. \(example); found \(describe(node))")
        }
        var rules: [PermissionRule] = []
        for (offset, item) in sequence.enumerated() {
            let position = offset + 1
            guard case .scalar(let scalar) = item, isString(item) else {
                throw PolicyError(source: source, key: key, item: position, line: item.mark?.line,
                                  problem: "key '\(key)', rule \(position) must be a string such as "
                                      + "\"execute_command(git *)\"; found \(describe(item))")
            }
            do {
                rules.append(try PermissionRule(scalar.string, effect: effect))
            } catch {
                throw PolicyError(source: source, key: key, item: position, line: item.mark?.line,
                                  problem: "key '\(key)', rule \(position): \(error)")
            }
        }
        return rules
    }

    /// `text` as a double-quoted YAML scalar.
    static func quote(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\x" + (c.value < 0x10 ? "0" : "") + String(c.value, radix: 16)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}
