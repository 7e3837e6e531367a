/// Decodes an Anthropic Messages SSE stream: `message_start`, content blocks (`text_delta`, `input_json_delta`
/// pieces concatenated and parsed at `content_block_stop`), `message_delta` (stop reason, cumulative usage),
/// `message_stop`; `ping` is ignored and `error` events become ``ProviderError``s.
struct AnthropicStreamDecoder: StreamDecoder, SSEEventHandler {
    private struct PendingTool {
        var id: String
        var name: String
        var json = ""
        var startInput: JSONValue?
    }

    private let context: WireContext
    var sse = SSEDecoder()
    private var tools: [Int: PendingTool] = [:]
    private var stopped = false
    private var events: [WireEvent] = []

    init(context: WireContext) { self.context = context }

    mutating func decode(_ chunk: [UInt8]) throws -> [WireEvent] {
        events.removeAll(keepingCapacity: true)
        try feedSSE(chunk)
        return events
    }

    mutating func finish() throws -> [WireEvent] {
        events.removeAll()
        try finishSSE()
        guard stopped else { throw WireErrors.truncated(context: context) }
        return events
    }

    mutating func handle(_ event: SSEDecoder.Event) throws {
        let json: JSONValue
        do {
            json = try JSONValue(parsingBytes: event.data)
        } catch {
            throw event.data.withUnsafeBufferPointer { WireErrors.malformed("a stream event", sample: $0, context: context) }
        }
        switch json["type"]?.stringValue ?? event.name {
        case "message_start"?:
            if let usage = json["message"]?["usage"] { events.append(.usage(AnthropicMessagesWire.usage(usage))) }
        case "content_block_start"?:
            guard let index = json["index"]?.intValue, let block = json["content_block"] else { return }
            switch block["type"]?.stringValue {
            case "tool_use"?:
                let input = block["input"]
                tools[index] = PendingTool(
                    id: block["id"]?.stringValue ?? CallIDGenerator.make(), name: block["name"]?.stringValue ?? "",
                    startInput: input?.objectValue?.isEmpty == false ? input : nil)
            case "text"?:
                if let text = block["text"]?.stringValue, !text.isEmpty { events.append(.text(text)) }
            default:
                break
            }
        case "content_block_delta"?:
            let delta = json["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta"?:
                if let text = delta?["text"]?.stringValue, !text.isEmpty { events.append(.text(text)) }
            case "input_json_delta"?:
                if let index = json["index"]?.intValue, let piece = delta?["partial_json"]?.stringValue {
                    tools[index]?.json += piece
                }
            default:
                break  // thinking_delta, signature_delta: not surfaced
            }
        case "content_block_stop"?:
            guard let index = json["index"]?.intValue, let tool = tools.removeValue(forKey: index) else { return }
            let arguments: ToolArguments =
                tool.json.isEmpty ? .json(tool.startInput ?? .object([:])) : ToolArguments.parsing(tool.json)
            events.append(
                .toolCall(ToolCall(id: tool.id, name: context.names.originalName(for: tool.name), arguments: arguments)))
        case "message_delta"?:
            if let usage = json["usage"] { events.append(.usage(AnthropicMessagesWire.usage(usage))) }
            if let reason = json["delta"]?["stop_reason"]?.stringValue {
                events.append(.stop(AnthropicMessagesWire.stopReason(reason)))
            }
        case "message_stop"?:
            stopped = true
        case "error"?:
            throw WireErrors.inStream(json["error"] ?? json, context: context)
        default:
            break  // ping and future event types
        }
    }
}
