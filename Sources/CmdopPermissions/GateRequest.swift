/// One tool call to be checked: the tool and the arguments rules can match on.
///
/// Command tools match on `command`, file tools on `path`, machine tools on
/// `target` (the host name). `operation` is an optional verb a rule body can name
/// (`files(read)`), and `target` is also what a `host:` qualifier matches.
public struct GateRequest: Sendable, Equatable {
    /// The tool name, e.g. `execute_command`, `write_file`, `ask_machine`.
    public var tool: String
    /// An optional operation within the tool, e.g. `read`.
    public var operation: String?
    /// The host the call runs on or addresses; `nil` means the local machine.
    public var target: String?
    /// The shell command, for command tools.
    public var command: String?
    /// The file path, for file tools.
    public var path: String?

    public init(
        tool: String, operation: String? = nil, target: String? = nil,
        command: String? = nil, path: String? = nil
    ) {
        self.tool = tool
        self.operation = operation
        self.target = target
        self.command = command
        self.path = path
    }

    /// A shell command run by `tool` (default `execute_command`), optionally on `target`.
    public static func command(
        _ command: String, tool: String = "execute_command", target: String? = nil
    ) -> GateRequest {
        GateRequest(tool: tool, target: target, command: command)
    }

    /// A file operation on `path` by `tool` (e.g. `read_file`, `write_file`), optionally on `target`.
    public static func file(_ path: String, tool: String, target: String? = nil) -> GateRequest {
        GateRequest(tool: tool, target: target, path: path)
    }

    /// A call addressed to the machine `host` by `tool` (default `ask_machine`).
    public static func machine(_ host: String, tool: String = "ask_machine") -> GateRequest {
        GateRequest(tool: tool, target: host)
    }
}
