public import CmdopProviders
import CmdopCore

/// The JSON shape of a model call that crosses the relay: an agent's ask loop sends its
/// ``ChatRequest`` to jarvis, and jarvis streams back the normalised ``LLMEvent``s.
public enum ModelCallCodec {
    /// A request as JSON text.
    public static func encode(_ request: ChatRequest) -> String {
        var fields: [String: JSONValue] = [
            "messages": .array(request.messages.map(\.journalJSON)),
            "tools": .array(request.tools.map { tool in
                ["name": .string(tool.name), "description": .string(tool.description), "parameters": tool.parameters]
            }),
        ]
        if let model = request.model { fields["model"] = .string(model) }
        if let temperature = request.temperature { fields["temperature"] = .number(temperature) }
        if let maxTokens = request.maxTokens { fields["max_tokens"] = .number(Double(maxTokens)) }
        if !request.stop.isEmpty { fields["stop"] = .array(request.stop.map(JSONValue.string)) }
        return JSONValue.object(fields).serialized()
    }

    /// A request read back from JSON text.
    /// - Throws: ``ModelCallCodecError`` naming what is wrong.
    public static func decodeRequest(_ text: String) throws -> ChatRequest {
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch { throw ModelCallCodecError("the model request is not JSON: \(error)") }
        guard let rawMessages = json["messages"]?.arrayValue, !rawMessages.isEmpty else {
            throw ModelCallCodecError("the model request has no messages")
        }
        var messages: [ChatMessage] = []
        for raw in rawMessages {
            guard let message = ChatMessage(journalJSON: raw) else {
                throw ModelCallCodecError("a message of the model request has no valid role")
            }
            messages.append(message)
        }
        let tools = try (json["tools"]?.arrayValue ?? []).map { raw -> ToolDefinition in
            guard let name = raw["name"]?.stringValue else { throw ModelCallCodecError("a tool of the model request has no name") }
            return ToolDefinition(name: name, description: raw["description"]?.stringValue ?? "",
                                  parameters: raw["parameters"] ?? ["type": "object", "properties": .object([:])])
        }
        return ChatRequest(model: json["model"]?.stringValue, messages: messages, tools: tools,
                           temperature: json["temperature"]?.doubleValue ?? ChatRequest.defaultTemperature,
                           maxTokens: json["max_tokens"]?.intValue,
                           stop: (json["stop"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    /// An event as JSON text.
    public static func encode(_ event: LLMEvent) -> String {
        let json: JSONValue = switch event {
        case .textDelta(let text):
            ["type": "text", "text": .string(text)]
        case .toolCall(let call):
            ["type": "tool_call", "id": .string(call.id), "name": .string(call.name), "arguments": .string(call.arguments.text)]
        case .usage(let usage):
            ["type": "usage", "provider": .string(usage.provider), "model": .string(usage.model),
             "input_tokens": .number(Double(usage.tokens.inputTokens)),
             "output_tokens": .number(Double(usage.tokens.outputTokens)), "cost": .number(usage.cost),
             "wall_ms": .number(Double(usage.wallTime.wholeMilliseconds))]
        case .stop(let reason):
            ["type": "stop", "reason": .string(reason.wireName)]
        }
        return json.serialized()
    }

    /// An event read back from JSON text.
    /// - Throws: ``ModelCallCodecError`` for an unknown or malformed event.
    public static func decodeEvent(_ text: String) throws -> LLMEvent {
        guard let json = try? JSONValue(parsing: text), let type = json["type"]?.stringValue else {
            throw ModelCallCodecError("a model event is not a JSON object with a type")
        }
        switch type {
        case "text":
            return .textDelta(json["text"]?.stringValue ?? "")
        case "tool_call":
            guard let id = json["id"]?.stringValue, let name = json["name"]?.stringValue else {
                throw ModelCallCodecError("a tool_call event needs an id and a name")
            }
            return .toolCall(ToolCall(id: id, name: name, arguments: .parsing(json["arguments"]?.stringValue ?? "{}")))
        case "usage":
            let tokens = TokenUsage(inputTokens: json["input_tokens"]?.intValue ?? 0,
                                    outputTokens: json["output_tokens"]?.intValue ?? 0)
            return .usage(CallUsage(provider: json["provider"]?.stringValue ?? "", model: json["model"]?.stringValue ?? "",
                                    tokens: tokens, cost: json["cost"]?.doubleValue ?? 0,
                                    wallTime: .milliseconds(json["wall_ms"]?.intValue ?? 0)))
        case "stop":
            return .stop(StopReason(wireName: json["reason"]?.stringValue ?? ""))
        default:
            throw ModelCallCodecError("unknown model event type '\(type)'")
        }
    }
}

/// A model call that could not cross the relay, and why.
public struct ModelCallCodecError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension StopReason {
    var wireName: String {
        switch self {
        case .endTurn: "end_turn"
        case .toolUse: "tool_use"
        case .maxTokens: "max_tokens"
        case .stopSequence: "stop_sequence"
        case .contentFilter: "content_filter"
        case .other(let name): name
        }
    }

    init(wireName: String) {
        switch wireName {
        case "end_turn": self = .endTurn
        case "tool_use": self = .toolUse
        case "max_tokens": self = .maxTokens
        case "stop_sequence": self = .stopSequence
        case "content_filter": self = .contentFilter
        default: self = .other(wireName)
        }
    }
}
