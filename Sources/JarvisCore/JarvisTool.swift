public import CmdopProviders

/// A capability the agent loop offers the model: a JSON-Schema definition and the code that runs it.
///
/// Failures the model can act on (a refused command, an offline machine) are returned as an
/// outcome with `isError`, never thrown: the model is told and decides what to do next.
public protocol JarvisTool: Sendable {
    /// The name, description and argument schema the model sees.
    var definition: ToolDefinition { get }
    /// True when the tool only reads (MCP's `readOnlyHint`).
    var isReadOnly: Bool { get }
    /// True when the tool may change or destroy state (MCP's `destructiveHint`).
    var isDestructive: Bool { get }
    /// Runs one call with the model's arguments; `context` takes the start of its effect and its progress.
    func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome
}

/// What a tool call produced, as text for the model.
public struct ToolOutcome: Sendable, Hashable {
    public var content: String
    public var isError: Bool

    public init(_ content: String, isError: Bool = false) {
        self.content = content
        self.isError = isError
    }

    /// A failure the model should read: what went wrong and, where there is one, what to try.
    public static func failure(_ message: String) -> ToolOutcome { ToolOutcome(message, isError: true) }
}
