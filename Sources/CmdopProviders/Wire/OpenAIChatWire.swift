/// OpenAI Chat Completions, `POST {base}/chat/completions`, as OpenAI and compatible gateways (vLLM, LM Studio,
/// llama.cpp, OpenRouter, company proxies) serve it. `base` includes the version segment, e.g.
/// `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`.
public struct OpenAIChatWire: WireFormat {
    /// Creates the wire format.
    public init() {}

    public func chatRequest(_ request: ChatRequest, context: WireContext, stream: Bool) throws -> HTTPRequest {
        var body: [String: JSONValue] = [
            "model": .string(context.model),
            "messages": .array(request.messages.map { encode($0, names: context.names) }),
            "stream": .bool(stream),
        ]
        if stream { body["stream_options"] = ["include_usage": true] }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        if let maxTokens = request.maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
        if !request.stop.isEmpty { body["stop"] = .array(request.stop.map { .string($0) }) }
        if let seed = request.seed { body["seed"] = .number(Double(seed)) }
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { tool in
                    [
                        "type": "function",
                        "function": [
                            "name": .string(context.names.wireName(for: tool.name)),
                            "description": .string(tool.description),
                            "parameters": tool.parameters,
                        ],
                    ]
                })
            switch request.toolChoice {
            case .auto: body["tool_choice"] = "auto"
            case .none: body["tool_choice"] = "none"
            case .required: body["tool_choice"] = "required"
            case .tool(let name):
                body["tool_choice"] = ["type": "function", "function": ["name": .string(context.names.wireName(for: name))]]
            }
        }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Accept", stream ? "text/event-stream" : "application/json"),
        ]
        if let key = context.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        return HTTPRequest(
            method: "POST", url: context.baseURL + "/chat/completions", headers: headers,
            body: JSONValue.object(body).serializedBytes(), timeouts: context.timeouts)
    }

    private func encode(_ message: ChatMessage, names: ToolNameMapper) -> JSONValue {
        switch message.role {
        case .system: return ["role": "system", "content": .string(message.content)]
        case .user: return ["role": "user", "content": .string(message.content)]
        case .tool:
            return [
                "role": "tool", "tool_call_id": .string(message.toolCallID ?? ""), "content": .string(message.content),
            ]
        case .assistant:
            var object: [String: JSONValue] = ["role": "assistant"]
            object["content"] = message.content.isEmpty && !message.toolCalls.isEmpty ? .null : .string(message.content)
            if !message.toolCalls.isEmpty {
                object["tool_calls"] = .array(
                    message.toolCalls.map { call in
                        [
                            "id": .string(call.id), "type": "function",
                            "function": [
                                "name": .string(names.wireName(for: call.name)), "arguments": .string(call.arguments.text),
                            ],
                        ]
                    })
            }
            return .object(object)
        }
    }

    public func makeStreamDecoder(context: WireContext) -> any StreamDecoder {
        OpenAIChatStreamDecoder(context: context)
    }

    public func decodeResponse(_ body: [UInt8], context: WireContext) throws -> [WireEvent] {
        let json = try WireErrors.parse(body, as: "a reply", context: context)
        if let error = json["error"], !error.isNull { throw WireErrors.inStream(error, context: context) }
        var events: [WireEvent] = []
        let choice = json["choices"]?[0]
        if let text = choice?["message"]?["content"]?.stringValue, !text.isEmpty { events.append(.text(text)) }
        for call in choice?["message"]?["tool_calls"]?.arrayValue ?? [] {
            let function = call["function"]
            events.append(
                .toolCall(
                    ToolCall(
                        id: call["id"]?.stringValue ?? CallIDGenerator.make(),
                        name: context.names.originalName(for: function?["name"]?.stringValue ?? ""),
                        arguments: Self.arguments(function?["arguments"]))))
        }
        if let usage = json["usage"], let tokens = Self.usage(usage) { events.append(.usage(tokens)) }
        events.append(.stop(Self.stopReason(choice?["finish_reason"]?.stringValue)))
        return events
    }

    public func modelsRequest(context: WireContext) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let key = context.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        return HTTPRequest(method: "GET", url: context.baseURL + "/models", headers: headers, timeouts: context.timeouts)
    }

    public func decodeModels(_ body: [UInt8], context: WireContext) throws -> [String] {
        guard let json = try? JSONValue(parsingBytes: body), let data = json["data"]?.arrayValue else {
            throw body.withUnsafeBufferPointer { WireErrors.malformed("a model list", sample: $0, context: context) }
        }
        return data.compactMap { $0["id"]?.stringValue }
    }

    /// Arguments as OpenAI sends them (a JSON string) or as some gateways do (an object).
    static func arguments(_ value: JSONValue?) -> ToolArguments {
        switch value {
        case .string(let text)?: return ToolArguments.parsing(text)
        case .object?: return .json(value!)
        case nil, .null?: return .json(.object([:]))
        case let other?: return .invalid(raw: other.serialized(), reason: "arguments are neither a string nor an object")
        }
    }

    static func usage(_ usage: JSONValue) -> TokenUsage? {
        guard usage.objectValue != nil else { return nil }
        return TokenUsage(
            inputTokens: usage["prompt_tokens"]?.intValue ?? 0,
            outputTokens: usage["completion_tokens"]?.intValue ?? 0,
            cachedInputTokens: usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0)
    }

    static func stopReason(_ reason: String?) -> StopReason {
        switch reason {
        case nil, "stop"?: return .endTurn
        case "tool_calls"?, "function_call"?: return .toolUse
        case "length"?: return .maxTokens
        case "content_filter"?: return .contentFilter
        case let other?: return .other(other)
        }
    }
}
