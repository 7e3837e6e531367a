/// A complete, non-streamed reply.
public struct ChatResponse: Sendable, Hashable {
    /// The reply text.
    public var text: String
    /// The tool calls the model made.
    public var toolCalls: [ToolCall]
    /// Why the model stopped.
    public var stopReason: StopReason
    /// Tokens, cost and time of the call.
    public var usage: CallUsage

    /// Creates a reply.
    public init(text: String, toolCalls: [ToolCall], stopReason: StopReason, usage: CallUsage) {
        self.text = text
        self.toolCalls = toolCalls
        self.stopReason = stopReason
        self.usage = usage
    }

    /// Assembles a reply from streamed events.
    public init(events: [LLMEvent]) {
        var text = ""
        var calls: [ToolCall] = []
        var stop = StopReason.endTurn
        var usage = CallUsage.zero
        for event in events {
            switch event {
            case .textDelta(let delta): text += delta
            case .toolCall(let call): calls.append(call)
            case .usage(let value): usage = value
            case .stop(let reason): stop = reason
            }
        }
        self.init(text: text, toolCalls: calls, stopReason: stop, usage: usage)
    }
}
