import Foundation

/// What the HTTP route answers: a status, a small JSON object, and extra headers.
public struct IntakeResponse: Sendable, Hashable {
    /// The HTTP status (202, 200, 400, 401, 404, 413, 429, 500, or 503 for a disabled hook).
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

    /// The body: `fields` as a JSON object with keys in `String` order (byte order for the ASCII
    /// names used here: field names and HTTP header tokens).
    public var body: [UInt8] {
        var size = 2
        for (key, value) in fields { size += key.utf8.count + value.utf8.count + 6 }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        out.append(UInt8(ascii: "{"))
        for (index, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            Self.appendQuoted(field.key, to: &out)
            out.append(UInt8(ascii: ":"))
            Self.appendQuoted(field.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Appends `text` as a JSON string literal.
    private static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            // Most values need no escaping: copy their bytes whole.
            if !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: bytes)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: quoted(String(decoding: bytes, as: UTF8.self)).utf8)
            }
        }
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
