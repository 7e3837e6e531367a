import CmdopCore
import CmdopMesh
import CmdopPermissions
import CmdopProviders
import JarvisCore

/// `ask_machines`: the same question to many machines in parallel. Every host gets an entry, in
/// the order given (de-duplicated): a reply or a typed error (`machine_offline`, `timeout`,
/// `permission_denied`, …), never a missing one.
struct AskMachinesTool: JarvisTool {
    let client: MeshClient
    let gate: JarvisGate
    let grants: ModelGrants

    var isReadOnly: Bool { false }
    var isDestructive: Bool { true }
    var definition: ToolDefinition {
        ToolDefinition(
            name: "ask_machines",
            description: "Ask several machines' own agents the same question in parallel; results are keyed by hostname.",
            parameters: [
                "type": "object",
                "properties": [
                    "hostnames": ["type": "array", "items": ["type": "string"], "minItems": 1],
                    "prompt": ["type": "string"],
                    "timeout_ms": ["type": "integer", "minimum": 1_000, "maximum": 300_000,
                                   "description": "Per machine (default 120000); the whole call stops after 240 s"],
                ],
                "required": ["hostnames", "prompt"],
                "additionalProperties": false,
            ])
    }

    func run(_ arguments: JSONValue) async -> ToolOutcome {
        let references = (arguments["hostnames"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !references.isEmpty, let prompt = arguments["prompt"]?.stringValue, !prompt.isEmpty else {
            return .failure("invalid_argument: ask_machines needs hostnames and a prompt")
        }
        let hosts = Timeouts.deduplicated(references)
        let perHost = Timeouts.fanOutPerHost(milliseconds: arguments["timeout_ms"]?.intValue)
        let total = Timeouts.fanOutTotal(milliseconds: nil)
        let asker = MachineAsk(client: client, grants: grants)
        ToolEffect.begin()
        let finished = await withTaskGroup(of: (String, JSONValue)?.self) { group in
            for host in hosts {
                group.addTask { (host, await ask(host, prompt: prompt, timeoutMs: perHost, asker: asker)) }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(total))
                return nil
            }
            var entries: [String: JSONValue] = [:]
            while entries.count < hosts.count, let next = await group.next() {
                guard let (host, entry) = next else { break }  // the total deadline came first
                entries[host] = entry
            }
            group.cancelAll()
            return entries
        }
        let results: [JSONValue] = hosts.map { host in
            finished[host] ?? Self.entry(host, error: MeshError(.timeout, "no reply within the fan-out's \(total / 1000) s"))
        }
        let failures = results.filter { $0["ok"]?.boolValue == false }.count
        return ToolOutcome(JSONValue.object(["results": .array(results)]).serialized(), isError: failures == hosts.count)
    }

    private func ask(_ reference: String, prompt: String, timeoutMs: Int, asker: MachineAsk) async -> JSONValue {
        let hostname: String
        let arguments: JSONValue = ["hostname": .string(reference), "prompt": .string(prompt)]
        switch await FleetTools.admit(reference, arguments: arguments, through: client, gate: gate,
                                      as: { .machine($0, tool: "ask_machine") }) {
        case .admitted(let admitted): hostname = admitted
        case .refused(let refusal): return ["hostname": .string(reference), "ok": false, "error": .string(refusal.content)]
        }
        switch await asker.ask(hostname, prompt: prompt, timeoutMs: timeoutMs) {
        case .success(var reply):
            if case .object(var fields) = reply {
                fields["ok"] = true
                fields["hostname"] = .string(reference)
                reply = .object(fields)
            }
            return reply
        case .failure(let error):
            return Self.entry(reference, error: error)
        }
    }

    static func entry(_ host: String, error: MeshError) -> JSONValue {
        ["hostname": .string(host), "ok": false,
         "error": ["code": .string(error.code.name), "message": .string(error.message)]]
    }
}
