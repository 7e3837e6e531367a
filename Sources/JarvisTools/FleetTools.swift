public import CmdopMesh
public import JarvisCore
import CmdopCore
import CmdopPermissions
import CmdopProviders

/// The fleet tools jarvis offers its model, reaching machines only through the relay.
public enum FleetTools {
    /// `list_machines`, `ask_machine`, `ask_machine_stream`, `ask_machines`, `run_command` and
    /// `read_file` over `client`, behind `gate`. The asks' model calls are served under `grants`.
    public static func all(client: MeshClient, gate: JarvisGate, grants: ModelGrants = ModelGrants()) -> [any JarvisTool] {
        [ListMachinesTool(client: client),
         AskMachineTool(client: client, gate: gate, grants: grants, streaming: false),
         AskMachineTool(client: client, gate: gate, grants: grants, streaming: true),
         AskMachinesTool(client: client, gate: gate, grants: grants),
         RunCommandTool(client: client, gate: gate), ReadFileTool(client: client, gate: gate)]
    }

    /// Resolves a host the model named to the machine's canonical hostname (so the gate judges the
    /// real target, not a prefix), or the typed error for the model.
    static func resolve(_ reference: String, through client: MeshClient) async -> Result<String, MeshError> {
        do {
            let machines = try await client.machines()
            return .success(try MachineResolver.resolve(reference, among: machines).hostname)
        } catch let error as MeshError {
            return .failure(error)
        } catch {
            return .failure(MeshError(.internal, "\(error)"))
        }
    }

    /// Resolves the host the model named, then asks jarvis's gate about the call on that machine;
    /// the gate and any approval see the arguments with the canonical hostname, as the call will run.
    /// - Returns: the canonical hostname, or the outcome that tells the model why not.
    static func admit(_ reference: String, arguments: JSONValue, through client: MeshClient, gate: JarvisGate,
                      as request: (String) -> GateRequest) async -> Admission {
        let hostname: String
        switch await resolve(reference, through: client) {
        case .success(let resolved): hostname = resolved
        case .failure(let error): return .refused(failure(error))
        }
        var resolved = arguments
        if case .object(var fields) = arguments {
            fields["hostname"] = .string(hostname)
            resolved = .object(fields)
        }
        if let refusal = await gate.refusal(for: request(hostname), arguments: resolved) { return .refused(refusal) }
        return .admitted(hostname)
    }

    /// A call on a machine: allowed on this canonical hostname, or refused with what to tell the model.
    enum Admission {
        case admitted(String)
        case refused(ToolOutcome)
    }

    /// A tool failure from a mesh error, keeping its code for the model.
    static func failure(_ error: MeshError) -> ToolOutcome {
        var text = "\(error.code): \(error.message)"
        if !error.candidates.isEmpty { text += " (candidates: \(error.candidates.joined(separator: ", ")))" }
        return .failure(text)
    }

    /// At most `limit` bytes of `bytes` as text, saying how much was cut.
    static func clipped(_ bytes: [UInt8], limit: Int = 16 << 10) -> String {
        guard bytes.count > limit else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes.suffix(limit), as: UTF8.self) + "\n[… \(bytes.count - limit) earlier bytes cut]"
    }
}

/// `list_machines`: the fleet with presence.
struct ListMachinesTool: JarvisTool {
    let client: MeshClient
    var isReadOnly: Bool { true }
    var isDestructive: Bool { false }
    var definition: ToolDefinition {
        ToolDefinition(name: "list_machines", description: "List the machines of the fleet with whether they are online.",
                       parameters: ["type": "object", "properties": [:], "additionalProperties": false])
    }

    func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome {
        do {
            let machines = try await client.machines().filter { !$0.isJarvis }
            let rows: [JSONValue] = machines.map { machine in
                ["hostname": .string(machine.hostname), "name": .string(machine.name), "online": .bool(machine.online),
                 "heartbeat_age_seconds": .number(Double(machine.heartbeatAgeSeconds)), "os": .string(machine.os)]
            }
            return ToolOutcome(JSONValue.array(rows).serialized())
        } catch let error as MeshError {
            return FleetTools.failure(error)
        } catch {
            return .failure("internal: \(error)")
        }
    }
}
