public import CmdopProviders

extension ChatMessage {
    /// This message as JSON, for the run journal.
    public var journalJSON: JSONValue {
        var fields: [String: JSONValue] = ["role": .string(role.rawValue), "content": .string(content)]
        if !toolCalls.isEmpty {
            fields["tool_calls"] = .array(toolCalls.map { call in
                ["id": .string(call.id), "name": .string(call.name), "arguments": .string(call.arguments.text)]
            })
        }
        if let toolCallID { fields["tool_call_id"] = .string(toolCallID) }
        if let toolName { fields["tool_name"] = .string(toolName) }
        if isError { fields["is_error"] = .bool(true) }
        return .object(fields)
    }

    /// A message read back from the run journal; nil when the JSON is not one.
    public init?(journalJSON json: JSONValue) {
        guard let roleName = json["role"]?.stringValue, let role = Role(rawValue: roleName) else { return nil }
        let calls = (json["tool_calls"]?.arrayValue ?? []).compactMap { call -> ToolCall? in
            guard let id = call["id"]?.stringValue, let name = call["name"]?.stringValue else { return nil }
            return ToolCall(id: id, name: name, arguments: .parsing(call["arguments"]?.stringValue ?? "{}"))
        }
        self.init(role: role, content: json["content"]?.stringValue ?? "", toolCalls: calls,
                  toolCallID: json["tool_call_id"]?.stringValue, toolName: json["tool_name"]?.stringValue,
                  isError: json["is_error"]?.boolValue ?? false)
    }
}
