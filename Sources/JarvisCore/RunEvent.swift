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
    /// A model call's whole output — its text and the tool calls it asks for — reported before it
    /// is journalled, and so before any of those calls runs.
    case modelTurn(ModelTurn)
}

/// One model turn's output.
public struct ModelTurn: Sendable, Hashable {
    /// The turn's number in the run (1 for the first model call).
    public var number: Int
    public var text: String
    public var calls: [ToolCall]

    public init(number: Int, text: String, calls: [ToolCall]) {
        self.number = number
        self.text = text
        self.calls = calls
    }

    /// The bytes an audit digest covers: the text, then each call's id, name and argument text,
    /// each field as its UTF-8 length (8 bytes, big-endian) and its UTF-8, so no two different
    /// outputs share them.
    public var canonicalBytes: [UInt8] {
        var bytes: [UInt8] = []
        func field(_ text: String) {
            let utf8 = Array(text.utf8)
            withUnsafeBytes(of: UInt64(utf8.count).bigEndian) { bytes += $0 }
            bytes += utf8
        }
        field(text)
        for call in calls {
            field(call.id)
            field(call.name)
            field(call.arguments.text)
        }
        return bytes
    }
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
