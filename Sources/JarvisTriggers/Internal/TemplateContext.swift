import CmdopProviders
import Mustache

/// A JSON object as a Mustache template sees it. Values are converted only where a tag looks,
/// so a large payload (GitHub sends tens of kilobytes) costs nothing for the fields a prompt
/// never names. Nulls are missing: they render as nothing and count as false in sections.
/// An object named on its own (`{{workflow_run}}`) renders as its JSON text.
struct TemplateContext: MustacheParent, MustacheCustomRenderable {
    let fields: [String: PayloadValue]
    /// Names that win over the payload's own fields (the root's `headers` and `body`).
    var overrides: [String: Any] = [:]

    func child(named name: String) -> Any? {
        if let value = overrides[name] { return value }
        return fields[name].flatMap(Self.value)
    }

    var renderText: String { PayloadValue.object(fields).json.serialized() }
    var isNull: Bool { false }

    /// `payload` as a template value: scalars as Swift values, objects as contexts, arrays as arrays.
    static func value(_ payload: PayloadValue) -> Any? {
        switch payload {
        case .null: nil
        case .bool(let value): value
        case .integer(let value): value
        case .number: payload.text
        case .string(let value): value
        case .array(let items): items.compactMap(value)
        case .object(let fields): TemplateContext(fields: fields)
        }
    }
}
