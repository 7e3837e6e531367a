import CmdopCore
import CmdopMesh
import CmdopPermissions
import CmdopProtocol
import CmdopProviders
import Foundation
import JarvisCore
import Synchronization

/// `run_command`: a shell command on one machine, gated by jarvis and then by the machine.
struct RunCommandTool: JarvisTool {
    let client: MeshClient
    let gate: JarvisGate
    var isReadOnly: Bool { false }
    var isDestructive: Bool { true }
    var definition: ToolDefinition {
        ToolDefinition(
            name: "run_command",
            description: "Run a shell command on one machine of the fleet and return its exit code and output.",
            parameters: [
                "type": "object",
                "properties": [
                    "hostname": ["type": "string", "description": "The machine: hostname, name or unique prefix"],
                    "command": ["type": "string", "description": "The command, run by /bin/sh -c"],
                    "cwd": ["type": "string", "description": "Working directory (default: the agent's home)"],
                    "timeout_ms": ["type": "integer", "minimum": 1, "maximum": 600_000],
                ],
                "required": ["hostname", "command"],
                "additionalProperties": false,
            ])
    }

    func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome {
        guard let reference = arguments["hostname"]?.stringValue, let command = arguments["command"]?.stringValue,
              !command.isEmpty
        else { return .failure("invalid_argument: run_command needs a hostname and a command") }
        let hostname: String
        switch await FleetTools.admit(reference, arguments: arguments, through: client, gate: gate,
                                      as: { .command(command, tool: "run_command", target: $0) }) {
        case .admitted(let admitted): hostname = admitted
        case .refused(let refusal): return refusal
        }
        let output = Locked(([UInt8](), [UInt8]()))
        context.effectBegins()
        do {
            let result = try await client.exec(
                on: hostname, command: command, cwd: arguments["cwd"]?.stringValue ?? "",
                timeoutMs: arguments["timeout_ms"]?.intValue
            ) { chunk in
                output.withLock { buffers in
                    if chunk.stream == .stderr { buffers.1 += chunk.data } else { buffers.0 += chunk.data }
                }
            }
            let (stdout, stderr) = output.value
            let reply: JSONValue = [
                "hostname": .string(hostname), "exit_code": .number(Double(result.exitCode)),
                "stdout": .string(FleetTools.clipped(stdout)), "stderr": .string(FleetTools.clipped(stderr)),
                "output_truncated": .bool(result.outputTruncated),
            ]
            return ToolOutcome(reply.serialized(), isError: result.exitCode != 0)
        } catch let error as MeshError {
            return FleetTools.failure(error)
        } catch {
            return .failure("internal: \(error)")
        }
    }
}

/// `read_file`: bytes of a file on one machine, gated by jarvis and then by the machine.
struct ReadFileTool: JarvisTool {
    let client: MeshClient
    let gate: JarvisGate
    var isReadOnly: Bool { true }
    var isDestructive: Bool { false }
    var definition: ToolDefinition {
        ToolDefinition(
            name: "read_file", description: "Read a file (or a byte range of it) on one machine of the fleet.",
            parameters: [
                "type": "object",
                "properties": [
                    "hostname": ["type": "string"], "path": ["type": "string"],
                    "start": ["type": "integer", "minimum": 0], "end": ["type": "integer", "minimum": 0],
                ],
                "required": ["hostname", "path"],
                "additionalProperties": false,
            ])
    }

    func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome {
        guard let reference = arguments["hostname"]?.stringValue, let path = arguments["path"]?.stringValue else {
            return .failure("invalid_argument: read_file needs a hostname and a path")
        }
        let hostname: String
        switch await FleetTools.admit(reference, arguments: arguments, through: client, gate: gate,
                                      as: { .file(path, tool: "read_file", target: $0) }) {
        case .admitted(let admitted): hostname = admitted
        case .refused(let refusal): return refusal
        }
        context.effectBegins()
        do {
            let result = try await client.readFile(
                on: hostname, path: path, start: UInt64(max(arguments["start"]?.intValue ?? 0, 0)),
                end: UInt64(max(arguments["end"]?.intValue ?? 0, 0)))
            let reply: JSONValue = [
                "hostname": .string(hostname), "path": .string(path), "size": .number(Double(result.size)),
                "truncated": .bool(result.truncated), "content": .string(FleetTools.clipped([UInt8](result.content))),
            ]
            return ToolOutcome(reply.serialized())
        } catch let error as MeshError {
            return FleetTools.failure(error)
        } catch {
            return .failure("internal: \(error)")
        }
    }
}
