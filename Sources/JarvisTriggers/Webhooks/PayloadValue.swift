import CmdopProviders
import Foundation

/// A parsed JSON document, as webhook filters and prompt templates see it.
public enum PayloadValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([PayloadValue])
    case object([String: PayloadValue])

    /// Parses `bytes` (UTF-8 JSON).
    /// - Throws: `DecodingError` when they are not JSON.
    public static func parse(_ bytes: [UInt8]) throws -> PayloadValue {
        // The provider layer's hand-written parser: several times faster than JSONDecoder, which set
        // the pace of webhook intake.
        PayloadValue(try JSONValue(parsingBytes: bytes))
    }

    /// The same document; whole numbers within ±2^53 become `.integer`.
    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value):
            self = value.rounded() == value && abs(value) < 9_007_199_254_740_992 ? .integer(Int(value)) : .number(value)
        case .string(let value): self = .string(value)
        case .array(let items): self = .array(items.map(PayloadValue.init))
        case .object(let fields): self = .object(fields.mapValues(PayloadValue.init))
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([PayloadValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: PayloadValue].self))
        }
    }

    /// The value at a dot path such as `workflow_run.conclusion` or `pull_requests.0.number`
    /// (a number indexes an array); nil when any step is missing. A JSON null counts as missing.
    public func value(at path: String) -> PayloadValue? {
        var current = self
        for step in path.split(separator: ".", omittingEmptySubsequences: false) {
            switch current {
            case .object(let fields):
                guard let next = fields[String(step)] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(step), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current == .null ? nil : current
    }

    /// The text a scalar compares and renders as (`true`, `42`, `1.5`, the string itself); nil for
    /// arrays, objects and null.
    public var text: String? {
        switch self {
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .string(let value): value
        case .null, .array, .object: nil
        }
    }

    /// The same document as a `JSONValue` (to serialize it).
    var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let value): .bool(value)
        case .integer(let value): .number(Double(value))
        case .number(let value): .number(value)
        case .string(let value): .string(value)
        case .array(let items): .array(items.map(\.json))
        case .object(let fields): .object(fields.mapValues(\.json))
        }
    }
}
