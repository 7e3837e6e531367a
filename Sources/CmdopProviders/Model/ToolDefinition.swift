/// A tool the model may call, described by a JSON Schema for its arguments.
public struct ToolDefinition: Sendable, Hashable {
    /// The tool's own name (may contain characters such as `.` that wire formats forbid; the provider maps it).
    public var name: String
    /// What the tool does, written for the model.
    public var description: String
    /// JSON Schema of the arguments object.
    public var parameters: JSONValue

    /// Creates a tool definition.
    /// - Parameters:
    ///   - name: the tool's name as the caller knows it.
    ///   - description: what the tool does.
    ///   - parameters: JSON Schema of the arguments (default: an object without properties).
    public init(
        name: String, description: String,
        parameters: JSONValue = ["type": "object", "properties": .object([:])]
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// Whether and which tool the model must call.
public enum ToolChoice: Sendable, Hashable {
    /// The model decides (the default when tools are given).
    case auto
    /// The model must not call tools.
    case none
    /// The model must call at least one tool.
    case required
    /// The model must call the named tool.
    case tool(String)
}
