import CmdopCore
import CmdopMesh
import CmdopPermissions
import CmdopProtocol
import CmdopProviders
import Foundation

/// One ask of one machine: a grant for its model calls, the `ask` request over the relay, and the
/// reply as the model reads it (or the typed error).
struct MachineAsk: Sendable {
    let client: MeshClient
    let grants: ModelGrants
    /// jarvis's gate, applied to every tool call the machine's loop is told to make.
    let gate: JarvisGate
    /// Model calls one remote loop may make (its turns).
    static let maxTurns = 10

    /// Asks `hostname` (canonical) and waits up to `timeoutMs` for the reply.
    /// - Parameter onActivity: the remote loop's tokens and tool activity as they happen.
    func ask(_ hostname: String, prompt: String, timeoutMs: Int,
             onActivity: @escaping @Sendable (Cmdop_Agent_V1_AskActivity) -> Void = { _ in }) async
        -> Result<JSONValue, MeshError>
    {
        let started = ContinuousClock.now
        let gate = self.gate
        let grant = grants.issue(hostname: hostname, maxCalls: Self.maxTurns, lifetime: .milliseconds(timeoutMs + 5_000),
                                 screen: { gate.screen(Self.gateRequest(for: $0, on: hostname)) })
        defer { grants.revoke(grant) }
        var request = Cmdop_Agent_V1_AskRequest()
        request.prompt = prompt
        request.maxTurns = UInt32(Self.maxTurns)
        request.modelGrant = grant
        do {
            let done = try await client.send(target: hostname, timeoutMs: timeoutMs, .ask(request))
                .outcome(deadline: .milliseconds(timeoutMs + 5_000)) { event in
                    if case .ask(let activity) = event.payload { onActivity(activity) }
                }
            guard case .ask(let result) = done.result else {
                return .failure(MeshError(.protocol, "\(hostname) answered ask with another result"))
            }
            return .success([
                "hostname": .string(hostname), "reply": .string(result.text), "stop": .string(result.stop),
                "duration_ms": .number(Double((ContinuousClock.now - started).wholeMilliseconds)),
                "turns": .number(Double(result.turns)), "tool_calls": .array(result.toolCalls.map(JSONValue.string)),
                "input_tokens": .number(Double(result.inputTokens)), "output_tokens": .number(Double(result.outputTokens)),
            ])
        } catch let error as MeshError {
            return .failure(error)
        } catch {
            return .failure(Task.isCancelled ? MeshError(.cancelled, "the ask was cancelled") : MeshError(.internal, "\(error)"))
        }
    }

    /// The machine's local tool call as jarvis's gate sees it: `execute_command` is a
    /// `run_command(HOST:COMMAND)`, `read_file` and `list_dir` are `read_file(HOST:PATH)`.
    static func gateRequest(for call: ToolCall, on hostname: String) -> GateRequest {
        let arguments = call.arguments.json
        switch call.name {
        case "execute_command":
            return .command(arguments?["command"]?.stringValue ?? call.arguments.text, tool: "run_command", target: hostname)
        case "read_file", "list_dir":
            return .file(arguments?["path"]?.stringValue ?? "", tool: "read_file", target: hostname)
        default:
            return .machine(hostname, tool: call.name)
        }
    }

    /// The activity as one line of progress for a streaming client.
    static func progressLine(_ hostname: String, _ activity: Cmdop_Agent_V1_AskActivity) -> String? {
        switch activity.kind {
        case .textDelta(let text): text
        case .toolStarted(let tool): "\n[\(hostname) → \(tool.name) \(tool.arguments)]\n"
        case .toolFinished(let tool): "[\(hostname) ← \(tool.name)\(tool.isError ? " failed" : "")]\n"
        case nil: nil
        }
    }
}
