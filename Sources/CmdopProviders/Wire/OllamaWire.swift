/// ollama's native chat API, `POST {base}/api/chat` with `base` such as `http://127.0.0.1:11434`.
///
/// Streams NDJSON (one JSON object per line, last one `done: true` with eval counts and durations). Tool-call
/// arguments are JSON objects; calls carry no id on older servers, so ids are generated. `options.num_ctx` is
/// always sent when configured: ollama's default window silently truncates long agent conversations.
/// `tool_choice` does not exist here: `.none` omits the tools, `.required` and `.tool` are best effort.
public struct OllamaWire: WireFormat {
    /// Creates the wire format.
    public init() {}

    public func chatRequest(_ request: ChatRequest, context: WireContext, stream: Bool) throws -> HTTPRequest {
        var body: [String: JSONValue] = [
            "model": .string(context.model),
            "messages": .array(request.messages.map { encode($0, names: context.names) }),
            "stream": .bool(stream),
        ]
        var options: [String: JSONValue] = [:]
        if let temperature = request.temperature { options["temperature"] = .number(temperature) }
        if let numCtx = context.numCtx { options["num_ctx"] = .number(Double(numCtx)) }
        if let maxTokens = request.maxTokens { options["num_predict"] = .number(Double(maxTokens)) }
        if !request.stop.isEmpty { options["stop"] = .array(request.stop.map { .string($0) }) }
        if let seed = request.seed { options["seed"] = .number(Double(seed)) }
        if !options.isEmpty { body["options"] = .object(options) }
        if !request.tools.isEmpty, request.toolChoice != .none {
            body["tools"] = .array(
                request.tools.map { tool in
                    [
                        "type": "function",
                        "function": [
                            "name": .string(context.names.wireName(for: tool.name)),
                            "description": .string(tool.description), "parameters": tool.parameters,
                        ],
                    ]
                })
        }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let key = context.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        return HTTPRequest(
            method: "POST", url: context.baseURL + "/api/chat", headers: headers,
            body: JSONValue.object(body).serializedBytes(), timeouts: context.timeouts)
    }

    private func encode(_ message: ChatMessage, names: ToolNameMapper) -> JSONValue {
        var object: [String: JSONValue] = ["role": .string(message.role.rawValue), "content": .string(message.content)]
        if message.role == .assistant, !message.toolCalls.isEmpty {
            object["tool_calls"] = .array(
                message.toolCalls.map { call in
                    [
                        "id": .string(call.id),
                        "function": [
                            "name": .string(names.wireName(for: call.name)),
                            "arguments": call.arguments.json ?? .object([:]),
                        ],
                    ]
                })
        }
        if message.role == .tool {
            if let name = message.toolName { object["tool_name"] = .string(names.wireName(for: name)) }
            if let id = message.toolCallID { object["tool_call_id"] = .string(id) }
        }
        return .object(object)
    }

    public func makeStreamDecoder(context: WireContext) -> any StreamDecoder {
        OllamaStreamDecoder(context: context)
    }

    public func decodeResponse(_ body: [UInt8], context: WireContext) throws -> [WireEvent] {
        var decoder = OllamaStreamDecoder(context: context)
        var events = try decoder.decode(body)
        events += try decoder.finish()
        return events
    }

    public func modelsRequest(context: WireContext) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let key = context.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        return HTTPRequest(method: "GET", url: context.baseURL + "/api/tags", headers: headers, timeouts: context.timeouts)
    }

    public func decodeModels(_ body: [UInt8], context: WireContext) throws -> [String] {
        guard let json = try? JSONValue(parsingBytes: body), let models = json["models"]?.arrayValue else {
            throw body.withUnsafeBufferPointer { WireErrors.malformed("a model list", sample: $0, context: context) }
        }
        return models.compactMap { $0["name"]?.stringValue ?? $0["model"]?.stringValue }
    }
}

/// Decodes ollama NDJSON: one object per line, tool calls whole inside one line, `done: true` last.
struct OllamaStreamDecoder: StreamDecoder {
    private let context: WireContext
    private var lines = LineSplitter()
    private var done = false
    private var sawToolCall = false
    private var events: [WireEvent] = []

    init(context: WireContext) { self.context = context }

    mutating func decode(_ chunk: [UInt8]) throws -> [WireEvent] {
        events.removeAll(keepingCapacity: true)
        var framer = LineSplitter()
        swap(&framer, &lines)
        defer { swap(&framer, &lines) }
        try framer.feed(chunk) { line in try self.handle(line) }
        return events
    }

    mutating func finish() throws -> [WireEvent] {
        events.removeAll()
        var framer = LineSplitter()
        swap(&framer, &lines)
        defer { swap(&framer, &lines) }
        try framer.finish { line in try self.handle(line) }
        guard done else { throw WireErrors.truncated(context: context) }
        return events
    }

    private mutating func handle(_ line: UnsafeBufferPointer<UInt8>) throws {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        let json: JSONValue
        do {
            json = try JSONValue(parsingBytes: line)
        } catch {
            throw WireErrors.malformed("a stream line", sample: line, context: context)
        }
        if let error = json["error"], !error.isNull { throw WireErrors.inStream(error, context: context) }
        let message = json["message"]
        if let text = message?["content"]?.stringValue, !text.isEmpty { events.append(.text(text)) }
        for call in message?["tool_calls"]?.arrayValue ?? [] {
            let function = call["function"]
            sawToolCall = true
            events.append(
                .toolCall(
                    ToolCall(
                        id: call["id"]?.stringValue ?? CallIDGenerator.make(),
                        name: context.names.originalName(for: function?["name"]?.stringValue ?? ""),
                        arguments: OpenAIChatWire.arguments(function?["arguments"]))))
        }
        guard json["done"]?.boolValue == true else { return }
        done = true
        events.append(
            .usage(
                TokenUsage(
                    inputTokens: json["prompt_eval_count"]?.intValue ?? 0,
                    outputTokens: json["eval_count"]?.intValue ?? 0,
                    promptEvalDuration: json["prompt_eval_duration"]?.intValue.map { .nanoseconds($0) },
                    evalDuration: json["eval_duration"]?.intValue.map { .nanoseconds($0) })))
        let reason: StopReason
        switch json["done_reason"]?.stringValue {
        case "length"?: reason = .maxTokens
        case nil, "stop"?: reason = sawToolCall ? .toolUse : .endTurn
        case let other?: reason = .other(other)
        }
        events.append(.stop(reason))
    }
}
