/// Decodes an OpenAI Chat Completions SSE stream.
///
/// Tool-call fragments are accumulated by `index` (a missing `index` continues the call in flight, or starts a new
/// one when a new `id` arrives); `arguments` may come as string pieces or as one object. Calls are emitted when the
/// choice finishes (or at `[DONE]`). A final chunk with empty `choices` carries `usage`.
struct OpenAIChatStreamDecoder: StreamDecoder, SSEEventHandler {
    private struct PendingCall {
        var id: String?
        var name = ""
        var arguments = ""
        var objectArguments: JSONValue?
    }

    private let context: WireContext
    var sse = SSEDecoder()
    private var calls: [Int: PendingCall] = [:]
    private var callOrder: [Int] = []
    private var lastIndex: Int?
    private var finished = false
    private var done = false
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
        guard done || finished else { throw WireErrors.truncated(context: context) }
        flushCalls()
        return events
    }

    mutating func handle(_ event: SSEDecoder.Event) throws {
        if event.data.elementsEqual("[DONE]".utf8) {
            done = true
            flushCalls()
            return
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsingBytes: event.data)
        } catch {
            throw event.data.withUnsafeBufferPointer { WireErrors.malformed("a stream event", sample: $0, context: context) }
        }
        if let error = json["error"], !error.isNull { throw WireErrors.inStream(error, context: context) }
        if let choice = json["choices"]?[0] {
            let delta = choice["delta"]
            if let text = delta?["content"]?.stringValue, !text.isEmpty { events.append(.text(text)) }
            for fragment in delta?["tool_calls"]?.arrayValue ?? [] { accumulate(fragment) }
            if let reason = choice["finish_reason"]?.stringValue {
                flushCalls()
                finished = true
                events.append(.stop(OpenAIChatWire.stopReason(reason)))
            }
        }
        if let usage = json["usage"], let tokens = OpenAIChatWire.usage(usage) { events.append(.usage(tokens)) }
    }

    private mutating func accumulate(_ fragment: JSONValue) {
        let id = fragment["id"]?.stringValue
        let index: Int
        if let given = fragment["index"]?.intValue {
            index = given
        } else if let last = lastIndex, id == nil || id == calls[last]?.id {
            index = last
        } else {
            index = (callOrder.max() ?? -1) + 1
        }
        if calls[index] == nil {
            calls[index] = PendingCall()
            callOrder.append(index)
        }
        lastIndex = index
        if let id, !id.isEmpty { calls[index]!.id = id }
        let function = fragment["function"]
        if let name = function?["name"]?.stringValue, !name.isEmpty { calls[index]!.name += name }
        switch function?["arguments"] {
        case .string(let piece)?: calls[index]!.arguments += piece
        case let object? where object.objectValue != nil: calls[index]!.objectArguments = object
        default: break
        }
    }

    private mutating func flushCalls() {
        for index in callOrder.sorted() {
            guard let call = calls[index] else { continue }
            let arguments: ToolArguments =
                call.objectArguments.map { .json($0) } ?? ToolArguments.parsing(call.arguments)
            events.append(
                .toolCall(
                    ToolCall(
                        id: call.id ?? CallIDGenerator.make(), name: context.names.originalName(for: call.name),
                        arguments: arguments)))
        }
        calls.removeAll()
        callOrder.removeAll()
        lastIndex = nil
    }
}
