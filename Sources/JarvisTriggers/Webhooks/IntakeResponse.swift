import Foundation

/// What the HTTP route answers: a status, a small JSON object, and extra headers.
public struct IntakeResponse: Sendable, Hashable {
    /// The HTTP status (202, 200, 400, 401, 404, 413, 429 or 500).
    public let status: Int
    /// The JSON object's fields (all strings), e.g. `status`, `run_id`, `delivery_id`, `error`, `reason`.
    public let fields: [String: String]
    /// Headers to send besides `content-type` (e.g. `retry-after`).
    public let headers: [String: String]

    /// Creates a response.
    public init(status: Int, fields: [String: String], headers: [String: String] = [:]) {
        self.status = status
        self.fields = fields
        self.headers = headers
    }

    /// The body: `fields` as a JSON object with sorted keys.
    public var body: [UInt8] {
        var text = "{"
        for (index, key) in fields.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            text += Self.quoted(key) + ":" + Self.quoted(fields[key] ?? "")
        }
        return Array((text + "}").utf8)
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        // Most values need no escaping: copy them whole instead of scalar by scalar.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + text + "\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `application/json`.
    public static let contentType = "application/json"

    static func error(_ status: Int, _ message: String, headers: [String: String] = [:]) -> IntakeResponse {
        IntakeResponse(status: status, fields: ["error": message], headers: headers)
    }
}
