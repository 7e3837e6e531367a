import Foundation
import Mustache

/// A webhook's `prompt:`: a Mustache template over the JSON payload, compiled when the file loads.
///
/// Payload fields are top-level names (`{{workflow_run.head_branch}}`), request headers are under
/// `headers` by lower-cased name (`{{headers.x-github-event}}`; `authorization` and cookies are never
/// exposed), and a `text/*` body is `{{body}}`.
/// Nothing is HTML-escaped: the result is a prompt, not a page.
public struct PromptTemplate: Sendable {
    /// Where a template is malformed: 1-based line and column within the template text.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public let line: Int
        public let column: Int
        public let message: String
        public var description: String { "line \(line), column \(column): \(message)" }
    }

    /// The template text as written.
    public let source: String
    private let template: MustacheTemplate
    /// The same template without Mustache's look-ups, when it has only plain `{{name}}` tags.
    private let plain: PlainTemplate?

    /// Text output, so `&` or `<` in a commit message reach the model unchanged.
    private static let pragma = "{{% CONTENT_TYPE: TEXT}}"

    /// Compiles `text`.
    /// - Throws: `SyntaxError` saying where and what to fix.
    public init(_ text: String) throws {
        do {
            template = try MustacheTemplate(string: Self.pragma + text)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber
            let column = line == 1 ? max(error.context.columnNumber - Self.pragma.count, 1) : error.context.columnNumber
            throw SyntaxError(line: line, column: column, message: Self.explain(error.error))
        } catch {
            throw SyntaxError(line: 1, column: 1, message: "\(error); check the {{ }} tags")
        }
        source = text
        plain = Self.checkedPlain(text, template: template)
    }

    /// Whether this template renders on the plain path (no sections, no trimmed whitespace).
    var rendersWithoutMustache: Bool { plain != nil }

    /// The plain path for `text` if it renders a probe exactly as Mustache does (a safety net
    /// under the rules `PlainTemplate` follows), else nil.
    private static func checkedPlain(_ text: String, template: MustacheTemplate) -> PlainTemplate? {
        guard let plain = PlainTemplate(text), let probe = plain.probe,
              let fast = plain.render(fields: probe.fields, headers: probe.headers, body: nil) else { return nil }
        return fast == mustache(template, fields: probe.fields, visibleHeaders: probe.headers, text: nil) ? plain : nil
    }

    /// Renders through Mustache over a lazy context (`TemplateContext`).
    private static func mustache(_ template: MustacheTemplate, fields: [String: PayloadValue], visibleHeaders: [String: String],
                                 text: String?) -> String {
        var context = TemplateContext(fields: fields, overrides: ["headers": visibleHeaders])
        if let text { context.overrides["body"] = text }
        return template.render(context)
    }

    private static func fields(_ payload: PayloadValue) -> [String: PayloadValue] {
        if case .object(let object) = payload { return object }
        return [:]
    }

    /// Renders the template over a parsed payload and the delivery's headers; `text` is a
    /// non-JSON (`text/*`) body, available as `{{body}}`.
    public func render(payload: PayloadValue, headers: [String: String], text: String? = nil) -> String {
        render(payload: payload, visibleHeaders: Self.visibleHeaders(headers), text: text)
    }

    /// `render` for headers already passed through `visibleHeaders`.
    func render(payload: PayloadValue, visibleHeaders: [String: String], text: String?) -> String {
        let fields = Self.fields(payload)
        if let plain, let rendered = plain.render(fields: fields, headers: visibleHeaders, body: text) { return rendered }
        return Self.mustache(template, fields: fields, visibleHeaders: visibleHeaders, text: text)
    }

    /// The same as `render`, always through Mustache (to check the plain path against it).
    func renderWithMustache(payload: PayloadValue, headers: [String: String], text: String? = nil) -> String {
        Self.mustache(template, fields: Self.fields(payload), visibleHeaders: Self.visibleHeaders(headers), text: text)
    }

    /// Headers as templates (and stored deliveries) may see them: lower-cased names, credentials removed.
    static func visibleHeaders(_ headers: [String: String]) -> [String: String] {
        // Usually nothing to change (names arrive lower-cased, without credentials): no copy.
        if headers.keys.allSatisfy({ !hasUpperCase($0) && !isHidden($0) }) { return headers }
        var visible: [String: String] = [:]
        visible.reserveCapacity(headers.count)
        for (name, value) in headers {
            let lower = lowercased(name)
            guard !isHidden(lower) else { continue }
            visible[lower] = value
        }
        return visible
    }

    /// Whether a lower-cased header name carries credentials (compared, not hashed: this runs
    /// for every header of every delivery).
    static func isHidden(_ name: String) -> Bool {
        switch name {
        case "authorization", "proxy-authorization", "cookie": true
        default: false
        }
    }

    /// `name` lower-cased; as it is when it already is (most header names: no new string).
    static func lowercased(_ name: String) -> String {
        hasUpperCase(name) ? name.lowercased() : name
    }

    /// `headers` by lower-cased name; the same dictionary when every name already is (HTTP/2 and
    /// most servers' parsed headers), so no copy is made.
    static func lowercasedNames(_ headers: [String: String]) -> [String: String] {
        guard headers.keys.contains(where: hasUpperCase) else { return headers }
        var lowered: [String: String] = [:]
        lowered.reserveCapacity(headers.count)
        for (name, value) in headers { lowered[lowercased(name)] = value }
        return lowered
    }

    private static func hasUpperCase(_ name: String) -> Bool {
        name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    private static func explain(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error); check the {{ }} tags" }
        switch error {
        case .sectionCloseNameIncorrect: return "a {{/name}} closes a section that is not the one open; match it to its {{#name}}"
        case .unfinishedName: return "a tag is not finished; close it with }}"
        case .expectedSectionEnd: return "a {{#section}} or {{^section}} is never closed; add its {{/section}}"
        case .invalidSetDelimiter: return "a {{=<% %>=}} delimiter change is malformed"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: return "a {{% ...}} pragma is not supported here; remove it"
        default: return "\(error); partials and inheritance are not supported in webhook prompts"
        }
    }
}
