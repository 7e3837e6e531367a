public import Foundation

/// Turns HTTP error replies and in-stream error objects into ``ProviderError``s with actionable messages.
public enum WireErrors {
    /// Classifies a non-2xx reply.
    /// - Parameters:
    ///   - status: HTTP status.
    ///   - headers: reply headers (`retry-after` is read).
    ///   - body: reply body (its error message is quoted, shortened and with the API key redacted).
    ///   - context: the call's context, for names in the message.
    public static func classify(
        status: Int, headers: [(name: String, value: String)], body: [UInt8], context: WireContext
    ) -> ProviderError {
        let serverMessage = extractMessage(body, context: context)
        let detail = serverMessage.map { " The server said: \($0)" } ?? ""
        let who = "\(context.provider) (\(context.baseURL))"
        let retryAfter = parseRetryAfter(headers)
        let lowered = serverMessage?.lowercased() ?? ""
        switch status {
        case 401, 403:
            let fix =
                context.apiKeyEnv.map {
                    "Check that the environment variable \($0) holds a valid key with access to model "
                        + "'\(context.model)'."
                } ?? "This provider has no api_key_env configured; add one naming the variable that holds the key."
            return ProviderError(
                code: .authentication, message: "\(who) rejected the credentials (HTTP \(status)). \(fix)\(detail)",
                provider: context.provider)
        case 429:
            let wait = retryAfter.map { " It asked to wait \(formatted($0))." } ?? ""
            return ProviderError(
                code: .rateLimited(retryAfter: retryAfter),
                message: "\(who) is rate limiting requests (HTTP 429).\(wait) Retry later, lower the request rate, "
                    + "or configure a fallback provider.\(detail)",
                provider: context.provider)
        case 529:
            return ProviderError(
                code: .rateLimited(retryAfter: retryAfter),
                message: "\(who) is overloaded (HTTP 529). Retry later or configure a fallback provider.\(detail)",
                provider: context.provider)
        case 400, 404, 405, 409, 413, 422:
            if isContextLength(lowered) || status == 413 {
                return contextLength(who: who, detail: detail, context: context)
            }
            if status == 404 {
                return ProviderError(
                    code: .badRequest,
                    message: "\(who) answered 404 for model '\(context.model)'. Check default_model (list the "
                        + "models with `cmdop llm doctor`) and that base_url points at the API root.\(detail)",
                    provider: context.provider)
            }
            return ProviderError(
                code: .badRequest,
                message: "\(who) rejected the request (HTTP \(status)); retrying will not help. Check the model "
                    + "name, the tool schemas and the provider's wire setting.\(detail)",
                provider: context.provider)
        case 500...599:
            if isContextLength(lowered) { return contextLength(who: who, detail: detail, context: context) }
            return ProviderError(
                code: .server(status: status),
                message: "\(who) failed with HTTP \(status). It is retried automatically; if it persists, check "
                    + "the server's logs or status page.\(detail)",
                provider: context.provider)
        default:
            return ProviderError(
                code: .badRequest,
                message: "\(who) answered with unexpected HTTP \(status). Check that base_url points at the API "
                    + "root.\(detail)",
                provider: context.provider)
        }
    }

    /// Classifies an error object found inside a stream or a 200 reply.
    public static func inStream(_ error: JSONValue, context: WireContext) -> ProviderError {
        let message = error["message"]?.stringValue ?? error.stringValue ?? error.serialized()
        let type = (error["type"]?.stringValue ?? error["code"]?.stringValue ?? "").lowercased()
        let text = redact(shorten(message), context: context)
        let who = "\(context.provider) (\(context.baseURL))"
        if isContextLength(type + " " + message.lowercased()) {
            return contextLength(who: who, detail: " The server said: \(text)", context: context)
        }
        if type.contains("rate_limit") || type.contains("overloaded") {
            return ProviderError(
                code: .rateLimited(retryAfter: nil),
                message: "\(who) reported '\(type)' mid-stream. Retry later or configure a fallback provider. "
                    + "The server said: \(text)",
                provider: context.provider)
        }
        if type.contains("authentication") || type.contains("permission") {
            let keyVariable = context.apiKeyEnv ?? "the configured environment variable"
            return ProviderError(
                code: .authentication,
                message: "\(who) reported '\(type)' mid-stream. Check the key in \(keyVariable). The server said: "
                    + text,
                provider: context.provider)
        }
        if type.contains("invalid_request") {
            return ProviderError(
                code: .badRequest,
                message: "\(who) rejected the request mid-stream. The server said: \(text)",
                provider: context.provider)
        }
        return ProviderError(
            code: .server(status: error["code"]?.intValue ?? 500),
            message: "\(who) reported an error inside the stream. It is retried when no output was delivered yet; "
                + "if it persists, check the server's logs. The server said: \(text)",
            provider: context.provider)
    }

    /// A `.decoding` error for data that does not parse.
    /// `body` parsed as JSON, or the decoding error that names `what` the server sent.
    static func parse(_ body: [UInt8], as what: String, context: WireContext) throws -> JSONValue {
        do {
            return try JSONValue(parsingBytes: body)
        } catch {
            throw body.withUnsafeBufferPointer { malformed(what, sample: $0, context: context) }
        }
    }

    static func malformed(_ what: String, sample: UnsafeBufferPointer<UInt8>, context: WireContext) -> ProviderError {
        let snippet = redact(shorten(String(decoding: sample.prefix(120), as: UTF8.self)), context: context)
        return ProviderError(
            code: .decoding,
            message: "\(context.provider) (\(context.baseURL)) sent \(what) that is not valid JSON: '\(snippet)'. "
                + "Check that the provider's wire setting matches the server (ollama, openAIChat or "
                + "anthropicMessages).",
            provider: context.provider)
    }

    /// A `.network` error for a stream that ended before the reply was complete.
    static func truncated(context: WireContext) -> ProviderError {
        ProviderError(
            code: .network,
            message: "\(context.provider) (\(context.baseURL)) closed the stream before the reply was complete. It "
                + "is retried when no output was delivered yet; otherwise ask again.",
            provider: context.provider)
    }

    private static func contextLength(who: String, detail: String, context: WireContext) -> ProviderError {
        ProviderError(
            code: .contextLengthExceeded,
            message: "The conversation does not fit the context window of '\(context.model)' at \(who). Shorten the "
                + "history, or use a model with a larger window (for ollama raise num_ctx).\(detail)",
            provider: context.provider)
    }

    static func isContextLength(_ text: String) -> Bool {
        ["context_length", "context length", "context window", "maximum context", "too many tokens",
         "prompt is too long", "exceed_context_size", "exceeds the available context", "context size"]
            .contains { text.contains($0) }
    }

    /// The error message of an error body (`{"error":{"message"}}`, `{"error":"..."}`, `{"message"}`).
    static func extractMessage(_ body: [UInt8], context: WireContext) -> String? {
        guard !body.isEmpty else { return nil }
        var message: String?
        if let json = try? JSONValue(parsingBytes: body) {
            message = json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue
                ?? json["message"]?.stringValue ?? json["detail"]?.stringValue
        }
        if message == nil {
            message = String(decoding: body.prefix(200), as: UTF8.self)
        }
        return message.map { redact(shorten($0), context: context) }
    }

    static func shorten(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }

    /// Removes the API key should a server echo it.
    static func redact(_ text: String, context: WireContext) -> String {
        guard let key = context.apiKey, key.count >= 8 else { return text }
        return text.replacingOccurrences(of: key, with: "<redacted>")
    }

    /// Reads `retry-after-ms`, or `retry-after` as seconds or an HTTP date.
    public static func parseRetryAfter(_ headers: [(name: String, value: String)], now: Date = Date()) -> Duration? {
        func value(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value.trimmingCharacters(in: .whitespaces)
        }
        if let milliseconds = value("retry-after-ms").flatMap(Double.init), milliseconds >= 0 {
            return .milliseconds(Int64(milliseconds))
        }
        guard let text = value("retry-after") else { return nil }
        if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: text) {
            return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
        }
        return nil
    }

    static func formatted(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds < 1 ? "\(Int(seconds * 1000)) ms" : "\(Int(seconds.rounded(.up))) s"
    }
}
