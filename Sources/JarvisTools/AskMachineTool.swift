import CmdopCore
import CmdopMesh
import CmdopPermissions
import CmdopProviders
import JarvisCore

/// `ask_machine` and `ask_machine_stream`: the machine answers a question with its own agent loop,
/// its local tools and its own permissions; the streaming variant passes the remote tokens and tool
/// activity on as they happen. jarvis's gate decides first (`ask_machine(HOST)` rules).
struct AskMachineTool: JarvisTool {
    let client: MeshClient
    let gate: JarvisGate
    let grants: ModelGrants
    let streaming: Bool

    var isReadOnly: Bool { false }
    var isDestructive: Bool { true }
    var definition: ToolDefinition {
        ToolDefinition(
            name: streaming ? "ask_machine_stream" : "ask_machine",
            description: streaming
                ? "Ask one machine's own agent a question; its tokens and tool activity stream as they happen, then its reply."
                : "Ask one machine's own agent a question; it looks with its local tools and replies.",
            parameters: [
                "type": "object",
                "properties": [
                    "hostname": ["type": "string", "description": "The machine: hostname, name or unique prefix"],
                    "prompt": ["type": "string", "description": "The question or task for that machine"],
                    "timeout_ms": ["type": "integer", "minimum": 1, "maximum": 600_000],
                ],
                "required": ["hostname", "prompt"],
                "additionalProperties": false,
            ])
    }

    func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome {
        guard let reference = arguments["hostname"]?.stringValue, let prompt = arguments["prompt"]?.stringValue,
              !prompt.isEmpty
        else { return .failure("invalid_argument: \(definition.name) needs a hostname and a prompt") }
        let hostname: String
        switch await FleetTools.admit(reference, arguments: arguments, through: client, gate: gate,
                                      as: { .machine($0, tool: "ask_machine") }) {
        case .admitted(let admitted): hostname = admitted
        case .refused(let refusal): return refusal
        }
        context.effectBegins()
        let streaming = self.streaming
        let result = await MachineAsk(client: client, grants: grants, gate: gate).ask(
            hostname, prompt: prompt, timeoutMs: Timeouts.singleCall(milliseconds: arguments["timeout_ms"]?.intValue)
        ) { activity in
            if streaming, let line = MachineAsk.progressLine(hostname, activity) { context.report(line) }
        }
        switch result {
        case .success(let reply): return ToolOutcome(reply.serialized())
        case .failure(let error): return FleetTools.failure(error)
        }
    }
}
