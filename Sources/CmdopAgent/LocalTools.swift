import CmdopCore
import CmdopProtocol
import CmdopProviders
import Foundation
import JarvisCore
import Synchronization

/// The tools of an ask loop on a machine: `execute_command`, `read_file` and `list_dir`, each
/// through the same gate and audit log as a request from the relay (the audit's `user` is the
/// asker, marked as an ask).
enum LocalTools {
    static func all(operations: OperationHandler, request: Cmdop_Agent_V1_Request) -> [any JarvisTool] {
        var local = request
        local.origin = request.origin + " (ask)"
        return [ExecuteCommandTool(operations: operations, request: local),
                LocalReadFileTool(operations: operations, request: local),
                LocalListDirTool(operations: operations, request: local)]
    }

    static func outcome(_ body: () async throws -> JSONValue) async -> ToolOutcome {
        do {
            return ToolOutcome(try await body().serialized())
        } catch let error as MeshError {
            return .failure("\(error.code): \(error.message)")
        } catch {
            return .failure("internal: \(error)")
        }
    }

    static func text(_ bytes: [UInt8], limit: Int = 16 << 10) -> String {
        guard bytes.count > limit else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes.suffix(limit), as: UTF8.self) + "\n[… \(bytes.count - limit) earlier bytes cut]"
    }
}

/// `execute_command {command, cwd?, timeout_ms?}` → `{stdout, stderr, exit_code}`.
struct ExecuteCommandTool: JarvisTool {
    let operations: OperationHandler
    let request: Cmdop_Agent_V1_Request
    var isReadOnly: Bool { false }
    var isDestructive: Bool { true }
    var definition: ToolDefinition {
        ToolDefinition(name: "execute_command", description: "Run a shell command on this machine (/bin/sh -c).",
                       parameters: ["type": "object", "properties": [
                           "command": ["type": "string"], "cwd": ["type": "string"],
                           "timeout_ms": ["type": "integer", "minimum": 1, "maximum": 600_000]],
                                    "required": ["command"], "additionalProperties": false])
    }

    func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome {
        guard let command = arguments["command"]?.stringValue, !command.isEmpty else {
            return .failure("invalid_argument: execute_command needs a command")
        }
        var exec = Cmdop_Agent_V1_ExecRequest()
        exec.command = command
        exec.cwd = arguments["cwd"]?.stringValue ?? ""
        var call = request
        call.timeoutMs = UInt32(Timeouts.singleCall(milliseconds: arguments["timeout_ms"]?.intValue))
        let output = Mutex(([UInt8](), [UInt8]()))
        return await LocalTools.outcome {
            let result = try await operations.runExec(exec, request: call) { frame in
                guard case .event(let event) = frame.body, case .output(let chunk) = event.payload else { return }
                output.withLock { if chunk.stream == .stderr { $0.1 += chunk.data } else { $0.0 += chunk.data } }
            }
            let (stdout, stderr) = output.withLock { $0 }
            return ["exit_code": .number(Double(result.exitCode)), "stdout": .string(LocalTools.text(stdout)),
                    "stderr": .string(LocalTools.text(stderr))]
        }
    }
}

/// `read_file {path, start?, end?}` → `{content, truncated}`.
struct LocalReadFileTool: JarvisTool {
    let operations: OperationHandler
    let request: Cmdop_Agent_V1_Request
    var isReadOnly: Bool { true }
    var isDestructive: Bool { false }
    var definition: ToolDefinition {
        ToolDefinition(name: "read_file", description: "Read a file (or a byte range of it) on this machine.",
                       parameters: ["type": "object", "properties": [
                           "path": ["type": "string"], "start": ["type": "integer", "minimum": 0],
                           "end": ["type": "integer", "minimum": 0]],
                                    "required": ["path"], "additionalProperties": false])
    }

    func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome {
        guard let path = arguments["path"]?.stringValue, !path.isEmpty else {
            return .failure("invalid_argument: read_file needs a path")
        }
        var read = Cmdop_Agent_V1_ReadFileRequest()
        read.path = path
        read.start = UInt64(max(arguments["start"]?.intValue ?? 0, 0))
        read.end = UInt64(max(arguments["end"]?.intValue ?? 0, 0))
        return await LocalTools.outcome {
            let result = try operations.readFile(read, request: request)
            return ["content": .string(LocalTools.text([UInt8](result.content))), "truncated": .bool(result.truncated)]
        }
    }
}

/// `list_dir {path}` → the entries with kind and size.
struct LocalListDirTool: JarvisTool {
    let operations: OperationHandler
    let request: Cmdop_Agent_V1_Request
    var isReadOnly: Bool { true }
    var isDestructive: Bool { false }
    var definition: ToolDefinition {
        ToolDefinition(name: "list_dir", description: "List a directory on this machine.",
                       parameters: ["type": "object", "properties": ["path": ["type": "string"]],
                                    "required": ["path"], "additionalProperties": false])
    }

    func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome {
        var list = Cmdop_Agent_V1_ListDirRequest()
        list.path = arguments["path"]?.stringValue ?? ""
        return await LocalTools.outcome {
            let result = try operations.listDir(list, request: request)
            let entries: [JSONValue] = result.entries.map {
                ["name": .string($0.name), "is_dir": .bool($0.isDir), "size": .number(Double($0.size))]
            }
            return ["entries": .array(entries), "truncated": .bool(result.truncated)]
        }
    }
}
