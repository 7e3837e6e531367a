public import CmdopProviders

/// What a run reports while it works: for sessions, streaming clients and the journal.
public enum RunEvent: Sendable, Hashable {
    /// A piece of the model's reply.
    case token(String)
    /// A tool call is about to run.
    case toolStarted(ToolCall)
    /// Progress of a running tool call (a remote machine's tokens and tool activity).
    case toolProgress(ToolCall, String)
    /// A tool call finished.
    case toolFinished(ToolCall, ToolOutcome)
    /// One model call's usage.
    case usage(CallUsage)
}

/// The end of a run: the final answer, why it stopped, the whole conversation and the spend.
public struct RunResult: Sendable {
    public var answer: String
    public var stop: RunStop
    public var messages: [ChatMessage]
    public var turns: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var cost: Double
}
