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
