/// One turn of a conversation in the provider-neutral form every wire format is encoded from.
///
/// ```swift
/// let history: [ChatMessage] = [
///     .system("You are jarvis."),
///     .user("What is the load on prod-1?"),
///     .assistant("", toolCalls: [call]),
///     .toolResult(for: call, content: "load 0.42"),
/// ]
/// ```
public struct ChatMessage: Sendable, Hashable {
    /// Who speaks in a turn.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case system, user, assistant, tool
    }

    /// Who speaks.
    public var role: Role
    /// The text of the turn (empty for an assistant turn that only calls tools).
    public var content: String
    /// Tool calls the assistant made in this turn.
    public var toolCalls: [ToolCall]
    /// For a `.tool` turn: the id of the call this result answers.
    public var toolCallID: String?
    /// For a `.tool` turn: the name of the tool that ran.
    public var toolName: String?
    /// For a `.tool` turn: whether the tool failed (Anthropic's `is_error`).
    public var isError: Bool

    /// Creates a message; prefer the static constructors.
    public init(
        role: Role, content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil,
        toolName: String? = nil, isError: Bool = false
    ) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.toolName = toolName
        self.isError = isError
    }

    /// A system instruction.
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: text) }

    /// A user turn.
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: text) }

    /// An assistant turn, optionally with the tool calls it made.
    public static func assistant(_ text: String, toolCalls: [ToolCall] = []) -> ChatMessage {
        ChatMessage(role: .assistant, content: text, toolCalls: toolCalls)
    }

    /// The result of running `call`, sent back to the model.
    public static func toolResult(for call: ToolCall, content: String, isError: Bool = false) -> ChatMessage {
        ChatMessage(role: .tool, content: content, toolCallID: call.id, toolName: call.name, isError: isError)
    }
}
