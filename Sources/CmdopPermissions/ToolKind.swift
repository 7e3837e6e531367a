/// Which argument of a request rules match on, decided by the tool.
///
/// `execute_command` and `run_command` match on the command, machine tools
/// (`ask_machine`, `ask_machines`, `ask_machine_stream`) on the host name, and file
/// tools — and any other tool that carries a path — on the path.
enum ToolKind: Sendable, Equatable {
    case command
    case path
    case host

    static let commandTools: Set<String> = ["execute_command", "run_command"]
    static let machineTools: Set<String> = ["ask_machine", "ask_machines", "ask_machine_stream"]
    static let fileTools: Set<String> = [
        "read_file", "write_file", "edit_file", "append_file", "delete_file", "move_file", "copy_file",
        "create_file", "list_dir", "list_directory", "search_files", "file_info",
    ]

    /// The kind for `request`: by tool name first, then by which argument is present.
    static func of(_ request: GateRequest) -> ToolKind {
        if commandTools.contains(request.tool) { return .command }
        if machineTools.contains(request.tool) { return .host }
        if fileTools.contains(request.tool) || request.path != nil { return .path }
        if request.command != nil { return .command }
        return .host
    }
}
