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

    /// nil unless `source` holds only text and `{{ name }}` / `{{ a.b.c }}` tags, and none of the
    /// whitespace Mustache trims: a first line of only spaces (after the content-type pragma it is a
    /// "standalone" line) or spaces after the last line break.
    init?(_ source: String) {
        let isBlank = { (line: Substring) in line.allSatisfy { $0 == " " || $0 == "\t" } }
        if let firstBreak = source.firstIndex(where: \.isNewline), isBlank(source[..<firstBreak]) { return nil }
        if let lastBreak = source.lastIndex(where: \.isNewline) {
            let tail = source[source.index(after: lastBreak)...]
            if !tail.isEmpty, isBlank(tail) { return nil }
        }
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

    /// Marker values for every tag, to check this path against Mustache once when a template loads:
    /// the payload fields and headers that give each tag its own text.
    var probe: (fields: [String: PayloadValue], headers: [String: String])? {
        var fields: [String: PayloadValue] = [:]
        var headers: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            guard case .variable(let path) = segment else { continue }
            let marker = "<\(index)>"
            if path[0] == "headers", path.count == 2 {
                headers[path[1]] = marker
            } else if path[0] != "headers", path[0] != "body" {
                guard let merged = Self.merge(fields[path[0]], path.dropFirst(), marker) else { return nil }
                fields[path[0]] = merged
            }
        }
        return (fields, headers)
    }

    /// `existing` with `marker` at `path`; nil when two tags disagree on a value's shape.
    private static func merge(_ existing: PayloadValue?, _ path: ArraySlice<String>, _ marker: String) -> PayloadValue? {
        guard let step = path.first else { return existing == nil || existing == .string(marker) ? .string(marker) : nil }
        var object: [String: PayloadValue] = [:]
        switch existing {
        case .none: break
        case .object(let fields): object = fields
        default: return nil
        }
        guard let child = merge(object[step], path.dropFirst(), marker) else { return nil }
        object[step] = child
        return .object(object)
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
