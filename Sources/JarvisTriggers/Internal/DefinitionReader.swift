import Foundation
import Yams

/// Walks a YAML node tree of one definition file, rejecting unknown keys with precise errors
/// (`file:line: key: message`, with "did you mean" for typos). The same approach as cmdop's
/// provider `ConfigReader`, kept here because that reader is internal to its module.
struct DefinitionReader {
    /// One `key: value` pair of a mapping, with its full key path.
    struct Entry {
        let name: String
        let keyNode: Node
        let value: Node
        let path: String
    }

    let file: String

    func fail(_ node: Node?, _ key: String, _ message: String) -> DefinitionError {
        DefinitionError(file: file, line: node?.mark?.line ?? 1, key: key, message: message)
    }

    /// Parses YAML text into its root node.
    /// - Throws: `DefinitionError` at the line of a syntax error, or for an empty file.
    func root(of yaml: String, emptyHint: String) throws -> Node {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw DefinitionError(file: file, line: Self.line(of: error) ?? 1, key: "",
                                  message: "not valid YAML: \(error). Fix the syntax.")
        } catch {
            throw DefinitionError(file: file, line: 1, key: "", message: "not valid YAML: \(error). Fix the syntax.")
        }
        guard let root else { throw DefinitionError(file: file, line: 1, key: "", message: "the file is empty. \(emptyHint)") }
        return root
    }

    /// The pairs of a mapping whose keys must be among `allowed`.
    func mapping(_ node: Node, _ key: String, allowed: [String]) throws -> [Entry] {
        guard case .mapping(let mapping) = node else {
            throw fail(node, key, "expected a mapping of keys (\(allowed.joined(separator: ", "))).")
        }
        var seen = Set<String>()
        var entries: [Entry] = []
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else { throw fail(keyNode, key, "keys must be strings.") }
            let path = key.isEmpty ? name : "\(key).\(name)"
            guard allowed.contains(name) else {
                let hint = Self.closest(name, in: allowed).map { " Did you mean `\($0)`?" } ?? ""
                throw fail(keyNode, path, "unknown key.\(hint) Allowed here: \(allowed.joined(separator: ", ")).")
            }
            guard seen.insert(name).inserted else { throw fail(keyNode, path, "duplicate key; keep one.") }
            entries.append(Entry(name: name, keyNode: keyNode, value: value, path: path))
        }
        return entries
    }

    func string(_ node: Node, _ key: String) throws -> String {
        guard case .scalar(let scalar) = node, !scalar.string.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw fail(node, key, "expected a non-empty string.")
        }
        return scalar.string
    }

    func integer(_ node: Node, _ key: String, in range: ClosedRange<Int>, unit: String = "") throws -> Int {
        guard case .scalar = node, let value = node.int, range.contains(value) else {
            let suffix = unit.isEmpty ? "" : " (\(unit))"
            throw fail(node, key, "expected a whole number from \(range.lowerBound) to \(range.upperBound)\(suffix).")
        }
        return value
    }

    func number(_ node: Node, _ key: String) throws -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value >= 0, value.isFinite else {
            throw fail(node, key, "expected a number of 0 or more, e.g. 3 or 0.15.")
        }
        return value
    }

    func bool(_ node: Node, _ key: String) throws -> Bool {
        guard case .scalar = node, let value = node.bool else { throw fail(node, key, "expected true or false.") }
        return value
    }

    /// A non-empty list of non-empty strings.
    func stringList(_ node: Node, _ key: String, example: String) throws -> [String] {
        guard case .sequence(let sequence) = node, !sequence.isEmpty else {
            throw fail(node, key, "expected a non-empty list, e.g. \(example).")
        }
        return try sequence.enumerated().map { try string($0.element, "\(key)[\($0.offset)]") }
    }

    /// One of an enumeration's raw values, listing them all when it is not.
    func choice<Value: RawRepresentable & CaseIterable>(_ node: Node, _ key: String, _ type: Value.Type) throws -> Value
    where Value.RawValue == String {
        let text = try string(node, key)
        if let value = Value(rawValue: text) { return value }
        let names = Value.allCases.map(\.rawValue)
        let hint = Self.closest(text, in: names).map { " Did you mean `\($0)`?" } ?? ""
        throw fail(node, key, "'\(text)' is not allowed.\(hint) Use one of: \(names.joined(separator: ", ")).")
    }

    /// A definition name: `[a-z0-9_-]`, at most 64 characters.
    static func isValidName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    /// The allowed word closest to `word`, when it is a plausible typo (edit distance ≤ 3).
    static func closest(_ word: String, in candidates: [String]) -> String? {
        candidates.min { distance(word, $0) < distance(word, $1) }.flatMap { distance(word, $0) <= 3 ? $0 : nil }
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
