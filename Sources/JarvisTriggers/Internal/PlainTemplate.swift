/// The common case of a webhook prompt — literal text and `{{dotted.name}}` tags only — rendered
/// without Mustache's dynamic look-ups (which cost more than verifying and parsing a delivery).
/// `PromptTemplate` uses it only for templates it can render exactly as Mustache would, and falls
/// back to Mustache for any tag or value it does not handle (sections, objects, arrays, …).
struct PlainTemplate: Sendable {
    enum Segment: Sendable, Equatable {
        case text(String)
        case variable([String])
    }

    let segments: [Segment]

    /// nil unless `source` holds only text and `{{ name }}` / `{{ a.b.c }}` tags.
    init?(_ source: String) {
        var segments: [Segment] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { segments.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else { return nil }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let path = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !name.isEmpty, path.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(Self.nameCharacters.contains) }) else {
                return nil
            }
            segments.append(.variable(path))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { segments.append(.text(String(rest))) }
        self.segments = segments
    }

    /// The rendered text, or nil when a tag names an object or an array (Mustache renders those).
    func render(fields: [String: PayloadValue], headers: [String: String], body: String?) -> String? {
        var out = ""
        for segment in segments {
            switch segment {
            case .text(let text):
                out += text
            case .variable(let path):
                guard let text = Self.text(of: path, fields: fields, headers: headers, body: body) else { return nil }
                out += text
            }
        }
        return out
    }

    /// What Mustache renders for `path`: "" when missing, nil when it is an object or array.
    private static func text(of path: [String], fields: [String: PayloadValue], headers: [String: String], body: String?) -> String? {
        if path[0] == "headers" {
            guard path.count == 2 else { return path.count == 1 ? nil : "" }
            return headers[path[1]] ?? ""
        }
        if path[0] == "body", let body { return path.count == 1 ? body : "" }
        var current: PayloadValue? = fields[path[0]]
        for step in path.dropFirst() {
            switch current {
            case .object(let object): current = object[step]
            case .array: return nil
            default: return ""
            }
        }
        switch current {
        case .none, .null: return ""
        case .array, .object: return nil
        case .string(let value): return value
        case .bool, .integer, .number: return current?.text ?? ""
        }
    }

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".unicodeScalars)
}
