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

/// How a file tool touches its path, for the floor.
///
/// Tools not known to be read-only are treated as writes: the safe assumption.
enum FileAccess: Sendable, Equatable {
    case list
    case read
    case write

    static let listingTools: Set<String> = ["list_dir", "list_directory"]
    static let readingTools: Set<String> = ["read_file", "search_files", "file_info", "stat_file"]
    static let readingOperations: Set<String> = ["read", "stat", "search", "get", "cat"]

    /// The access `request` makes to its path.
    static func of(_ request: GateRequest) -> FileAccess {
        if listingTools.contains(request.tool) || request.operation == "list" { return .list }
        if readingTools.contains(request.tool) { return .read }
        if let operation = request.operation, readingOperations.contains(operation) { return .read }
        return .write
    }
}
