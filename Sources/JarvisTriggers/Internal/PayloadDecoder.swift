import Foundation

/// Turns a verified body into what filters and templates see, by its content type:
/// JSON (the default, also without a content type) must be an object; a form body
/// (`application/x-www-form-urlencoded`, GitHub's other option) carries the JSON in its `payload`
/// field; `text/*` bodies have no fields and reach templates as `{{body}}`.
enum PayloadDecoder {
    struct Decoded {
        let payload: PayloadValue
        let text: String?
    }

    /// - Returns: the payload, or the reason for a 400.
    static func decode(_ body: [UInt8], contentType: String?) -> Result<Decoded, PayloadError> {
        let mediaType = contentType.map(Self.mediaType) ?? ""
        if mediaType.hasPrefix("text/") {
            guard let text = String(validating: body, as: UTF8.self) else {
                return .failure(PayloadError("the text body is not UTF-8"))
            }
            return .success(Decoded(payload: .object([:]), text: text))
        }
        var jsonBytes = body
        if mediaType == "application/x-www-form-urlencoded" {
            guard let form = String(validating: body, as: UTF8.self), let payload = formField("payload", in: form) else {
                return .failure(PayloadError("the form body has no `payload` field; send JSON (content type application/json)"))
            }
            jsonBytes = Array(payload.utf8)
        }
        guard let payload = try? PayloadValue.parse(jsonBytes) else {
            return .failure(PayloadError("the body is not valid JSON"))
        }
        guard case .object = payload else { return .failure(PayloadError("the body must be a JSON object")) }
        return .success(Decoded(payload: payload, text: nil))
    }

    /// `Text/Plain ; charset=utf-8` → `text/plain`.
    static func mediaType(_ contentType: String) -> String {
        // The usual `application/json`: nothing to cut or lower-case.
        if contentType == "application/json" { return contentType }
        let type = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let trimmed = type.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        return String(decoding: trimmed, as: UTF8.self).lowercased()
    }

    private static func formField(_ name: String, in form: String) -> String? {
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}

/// Why a verified body cannot be used (answered 400).
struct PayloadError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
