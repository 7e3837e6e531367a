public import CmdopProviders

/// Where a run writes its progress before each effect, so that after a crash it resumes without
/// repeating what already happened. Keys are (run, tool call id); the call id names the step.
public protocol RunJournaling: Sendable {
    /// A model turn is done: the whole conversation so far, before any of its tool calls run.
    func turnRecorded(messages: [ChatMessage], turns: Int, inputTokens: Int, outputTokens: Int, cost: Double)
    /// What is known of one tool call: not seen, started (gate, approval), effect begun, or finished.
    func state(of callID: String) -> ToolCallState
    /// The call is about to be decided and run.
    func toolStarted(_ callID: String)
    /// The call is about to reach a machine: from here on, repeating it could repeat its effect.
    func effectBegan(_ callID: String)
    /// The call's outcome.
    func toolFinished(_ callID: String, outcome: ToolOutcome)
    /// The run ended, with its whole conversation.
    func runFinished(_ stop: RunStop, answer: String, messages: [ChatMessage])
}

/// What the journal knows of a tool call.
public enum ToolCallState: Sendable, Equatable {
    case unseen
    /// Started (gated, maybe waiting for an approval) but nothing reached a machine yet.
    case started
    /// It reached a machine and its outcome was not recorded: it may or may not have happened.
    case effectBegun
    case finished(ToolOutcome)
}

/// What a running tool may tell the agent loop: that its remote effect starts now (the journal
/// records it, so a crash afterwards is reported as "outcome unknown" instead of repeated), and
/// progress as it happens (ask_machine_stream's remote tokens and tool activity).
public struct ToolContext: Sendable {
    let onBegin: @Sendable () -> Void
    let onReport: @Sendable (String) -> Void

    public init(onBegin: @escaping @Sendable () -> Void = {}, onReport: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onBegin = onBegin
        self.onReport = onReport
    }

    /// A context nobody listens to (a tool run outside a loop).
    public static let detached = ToolContext()

    /// Call right before the tool's first remote effect.
    public func effectBegins() { onBegin() }

    /// Reports a piece of progress of the running call.
    public func report(_ text: String) { onReport(text) }
}

/// Where an interrupted run stands, read back from a journal.
public struct RunCheckpoint: Sendable {
    public var messages: [ChatMessage]
    public var turns: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var cost: Double

    public init(messages: [ChatMessage], turns: Int, inputTokens: Int = 0, outputTokens: Int = 0, cost: Double = 0) {
        self.messages = messages
        self.turns = turns
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
    }
}
