import CmdopCore
import CmdopMesh
import CmdopPermissions
import CmdopProviders
import Foundation
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

    func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome {
        let references = (arguments["hostnames"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !references.isEmpty, let prompt = arguments["prompt"]?.stringValue, !prompt.isEmpty else {
            return .failure("invalid_argument: ask_machines needs hostnames and a prompt")
        }
        let hosts = Timeouts.deduplicated(references)
        let perHost = Timeouts.fanOutPerHost(milliseconds: arguments["timeout_ms"]?.intValue)
        let total = Timeouts.fanOutTotal(milliseconds: nil)
        // Every host is admitted first (an approval may take a while); nothing is sent before.
        var entries: [String: JSONValue] = [:]
        var admitted: [(reference: String, hostname: String)] = []
        for (reference, admission) in await admit(hosts, prompt: prompt) {
            switch admission {
            case .admitted(let hostname): admitted.append((reference, hostname))
            case .refused(let refusal): entries[reference] = Self.entry(reference, refusal: refusal)
            }
        }
        if !admitted.isEmpty { context.effectBegins() }
        let asker = MachineAsk(client: client, grants: grants, gate: gate)
        let replies = await withTaskGroup(of: (String, JSONValue)?.self) { group in
            for (reference, hostname) in admitted {
                group.addTask {
                    switch await asker.ask(hostname, prompt: prompt, timeoutMs: perHost) {
                    case .success(var reply):
                        if case .object(var fields) = reply {
                            fields["ok"] = true
                            fields["hostname"] = .string(reference)
                            reply = .object(fields)
                        }
                        return (reference, reply)
                    case .failure(let error):
                        return (reference, Self.entry(reference, error: error))
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(total))
                return nil
            }
            var replies: [String: JSONValue] = [:]
            while replies.count < admitted.count, let next = await group.next() {
                guard let (reference, entry) = next else { break }  // the total deadline came first
                replies[reference] = entry
            }
            group.cancelAll()
            return replies
        }
        entries.merge(replies) { first, _ in first }
        let results: [JSONValue] = hosts.map { host in
            entries[host] ?? Self.entry(host, error: MeshError(.timeout, "no reply within the fan-out's \(total / 1000) s"))
        }
        let failures = results.filter { $0["ok"]?.boolValue == false }.count
        return ToolOutcome(JSONValue.object(["results": .array(results)]).serialized(), isError: failures == hosts.count)
    }

    /// Resolves and gates every host, in parallel; the gate may wait for on-call approvals.
    private func admit(_ hosts: [String], prompt: String) async -> [(String, FleetTools.Admission)] {
        await withTaskGroup(of: (String, FleetTools.Admission).self) { group in
            for reference in hosts {
                group.addTask {
                    let arguments: JSONValue = ["hostname": .string(reference), "prompt": .string(prompt)]
                    return (reference, await FleetTools.admit(reference, arguments: arguments, through: client, gate: gate,
                                                              as: { .machine($0, tool: "ask_machine") }))
                }
            }
            var admissions: [(String, FleetTools.Admission)] = []
            for await admission in group { admissions.append(admission) }
            return admissions
        }
    }

    static func entry(_ host: String, error: MeshError) -> JSONValue {
        ["hostname": .string(host), "ok": false,
         "error": ["code": .string(error.code.name), "message": .string(error.message)]]
    }

    /// A refusal as a typed entry: the code before the first colon, the rest as the message.
    static func entry(_ host: String, refusal: ToolOutcome) -> JSONValue {
        let parts = refusal.content.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let code = parts.count == 2 && !parts[0].contains(" ") ? parts[0] : "permission_denied"
        return ["hostname": .string(host), "ok": false,
                "error": ["code": .string(code), "message": .string(parts.count == 2 ? parts[1] : refusal.content)]]
    }
}
