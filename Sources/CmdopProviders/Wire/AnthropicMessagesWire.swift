/// Anthropic Messages, `POST {base}/v1/messages` with `base` such as `https://api.anthropic.com` (llama.cpp's
/// server speaks it too).
///
/// System turns move to the top-level `system` field. Tool results become `tool_result` blocks at the start of
/// the user message that directly follows the assistant's `tool_use` turn, all results of one turn in one message,
/// any user text after them.
public struct AnthropicMessagesWire: WireFormat {
    /// The `anthropic-version` header sent.
    public static let apiVersion = "2023-06-01"
    /// `max_tokens` sent when the request names none (the API requires the field).
    public static let defaultMaxTokens = 4096

    /// Creates the wire format.
    public init() {}

    public func chatRequest(_ request: ChatRequest, context: WireContext, stream: Bool) throws -> HTTPRequest {
        var body: [String: JSONValue] = [
            "model": .string(context.model),
            "max_tokens": .number(Double(request.maxTokens ?? Self.defaultMaxTokens)),
            "messages": .array(Self.encodeMessages(request.messages, names: context.names)),
        ]
        if stream { body["stream"] = true }
        let system = request.messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
        if !system.isEmpty { body["system"] = .string(system) }
        if let temperature = request.temperature { body["temperature"] = .number(min(temperature, 1)) }
        if !request.stop.isEmpty { body["stop_sequences"] = .array(request.stop.map { .string($0) }) }
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { tool in
                    [
                        "name": .string(context.names.wireName(for: tool.name)),
                        "description": .string(tool.description), "input_schema": tool.parameters,
                    ]
                })
            switch request.toolChoice {
            case .auto: body["tool_choice"] = ["type": "auto"]
            case .none: body["tool_choice"] = ["type": "none"]
            case .required: body["tool_choice"] = ["type": "any"]
            case .tool(let name): body["tool_choice"] = ["type": "tool", "name": .string(context.names.wireName(for: name))]
            }
        }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("anthropic-version", Self.apiVersion),
            ("Accept", stream ? "text/event-stream" : "application/json"),
        ]
        if let key = context.apiKey { headers.append(("x-api-key", key)) }
        return HTTPRequest(
            method: "POST", url: context.baseURL + "/v1/messages", headers: headers,
            body: JSONValue.object(body).serializedBytes(), timeouts: context.timeouts)
    }

    /// Encodes the non-system turns, merging what the API requires to be one message.
    static func encodeMessages(_ messages: [ChatMessage], names: ToolNameMapper) -> [JSONValue] {
        var output: [(role: String, results: [JSONValue], blocks: [JSONValue])] = []
        func append(role: String, results: [JSONValue], blocks: [JSONValue]) {
            if let last = output.last, last.role == role {
                output[output.count - 1].results += results
                output[output.count - 1].blocks += blocks
            } else {
                output.append((role, results, blocks))
            }
        }
        for message in messages {
            switch message.role {
            case .system:
                continue
            case .user:
                guard !message.content.isEmpty else { continue }
                append(role: "user", results: [], blocks: [["type": "text", "text": .string(message.content)]])
            case .tool:
                var block: [String: JSONValue] = [
                    "type": "tool_result", "tool_use_id": .string(message.toolCallID ?? ""),
                    "content": .string(message.content),
                ]
                if message.isError { block["is_error"] = true }
                append(role: "user", results: [.object(block)], blocks: [])
            case .assistant:
                var blocks: [JSONValue] = []
                if !message.content.isEmpty { blocks.append(["type": "text", "text": .string(message.content)]) }
                for call in message.toolCalls {
                    blocks.append([
                        "type": "tool_use", "id": .string(call.id), "name": .string(names.wireName(for: call.name)),
                        "input": call.arguments.json ?? .object([:]),
                    ])
                }
                guard !blocks.isEmpty else { continue }
                append(role: "assistant", results: [], blocks: blocks)
            }
        }
        return output.map { message in
            ["role": .string(message.role), "content": .array(message.results + message.blocks)]
        }
    }

    public func makeStreamDecoder(context: WireContext) -> any StreamDecoder {
        AnthropicStreamDecoder(context: context)
    }

    public func decodeResponse(_ body: [UInt8], context: WireContext) throws -> [WireEvent] {
        let json = try WireErrors.parse(body, as: "a reply", context: context)
        if json["type"]?.stringValue == "error", let error = json["error"] {
            throw WireErrors.inStream(error, context: context)
        }
        var events: [WireEvent] = []
        for block in json["content"]?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "text"?:
                if let text = block["text"]?.stringValue, !text.isEmpty { events.append(.text(text)) }
            case "tool_use"?:
                events.append(
                    .toolCall(
                        ToolCall(
                            id: block["id"]?.stringValue ?? CallIDGenerator.make(),
                            name: context.names.originalName(for: block["name"]?.stringValue ?? ""),
                            arguments: .json(block["input"] ?? .object([:])))))
            default:
                continue
            }
        }
        if let usage = json["usage"] { events.append(.usage(Self.usage(usage))) }
        events.append(.stop(Self.stopReason(json["stop_reason"]?.stringValue)))
        return events
    }

    public func modelsRequest(context: WireContext) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/json"), ("anthropic-version", Self.apiVersion),
        ]
        if let key = context.apiKey { headers.append(("x-api-key", key)) }
        return HTTPRequest(method: "GET", url: context.baseURL + "/v1/models", headers: headers, timeouts: context.timeouts)
    }

    public func decodeModels(_ body: [UInt8], context: WireContext) throws -> [String] {
        guard let json = try? JSONValue(parsingBytes: body), let data = json["data"]?.arrayValue else {
            throw body.withUnsafeBufferPointer { WireErrors.malformed("a model list", sample: $0, context: context) }
        }
        return data.compactMap { $0["id"]?.stringValue }
    }

    static func usage(_ usage: JSONValue) -> TokenUsage {
        let cached = (usage["cache_read_input_tokens"]?.intValue ?? 0)
        let created = usage["cache_creation_input_tokens"]?.intValue ?? 0
        let input = usage["input_tokens"]?.intValue ?? 0
        return TokenUsage(
            inputTokens: input + cached + created, outputTokens: usage["output_tokens"]?.intValue ?? 0,
            cachedInputTokens: cached)
    }

    static func stopReason(_ reason: String?) -> StopReason {
        switch reason {
        case nil, "end_turn"?: return .endTurn
        case "tool_use"?: return .toolUse
        case "max_tokens"?: return .maxTokens
        case "stop_sequence"?: return .stopSequence
        case "refusal"?: return .contentFilter
        case let other?: return .other(other)
        }
    }
}
