public import CmdopProviders

/// Conversation hygiene before each model call.
public enum History {
    /// The messages with orphan tool calls removed: an assistant tool call without a result (a run
    /// interrupted between the call and its result) makes every API reject the conversation.
    /// Tool results without their call are dropped too.
    public static func droppingOrphanToolCalls(_ messages: [ChatMessage]) -> [ChatMessage] {
        let answered = Set(messages.filter { $0.role == .tool }.compactMap(\.toolCallID))
        let asked = Set(messages.flatMap(\.toolCalls).map(\.id))
        return messages.compactMap { message in
            switch message.role {
            case .assistant where !message.toolCalls.isEmpty:
                var kept = message
                kept.toolCalls = message.toolCalls.filter { answered.contains($0.id) }
                return kept.toolCalls.isEmpty && kept.content.isEmpty ? nil : kept
            case .tool:
                return message.toolCallID.map(asked.contains) == true ? message : nil
            default:
                return message
            }
        }
    }
}
