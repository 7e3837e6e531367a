/// One normalised event of a model's streamed reply.
///
/// A stream from ``LLMProvider/stream(_:)`` yields text deltas and complete tool calls as they arrive, then
/// exactly one ``usage(_:)`` and finally one ``stop(_:)``; it ends by throwing a ``ProviderError`` instead when
/// the call fails.
public enum LLMEvent: Sendable, Hashable {
    /// A piece of the reply text.
    case textDelta(String)
    /// A tool call whose arguments are complete.
    case toolCall(ToolCall)
    /// Tokens, cost and time of the call.
    case usage(CallUsage)
    /// Why the model stopped.
    case stop(StopReason)
}

/// Why the model stopped generating.
public enum StopReason: Sendable, Hashable {
    /// It finished its turn.
    case endTurn
    /// It wants tools to run.
    case toolUse
    /// It hit the output token limit.
    case maxTokens
    /// It produced a stop sequence.
    case stopSequence
    /// The server filtered the content.
    case contentFilter
    /// Any other reason the server named.
    case other(String)
}
