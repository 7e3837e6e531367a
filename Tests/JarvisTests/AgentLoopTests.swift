import CmdopAgent
import CmdopCore
import CmdopCurl
import CmdopMesh
import CmdopPermissions
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import JarvisCore
import JarvisTools
import Testing

@Suite("jarvis: the agent loop with fleet tools over a real relay", .timeLimit(.minutes(1)))
struct AgentLoopTests {
    static let bypass = JarvisGate(policy: try! PermissionPolicy(yaml: "mode: bypass\n", source: "test"))

    @Test("a chat runs run_command on an agent through the relay and answers with what it saw")
    func chatRunsCommand() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("call_1", "run_command", #"{"hostname":"web","command":"echo kernel-$((6*7))"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("web-1 says kernel-42."), for: ScriptedModel.path)
                    let provider = ScriptedModel.provider(server, transport: curl)
                    let events = Locked<[RunEvent]>([])
                    let result = try await mesh.withClient(fleet.operatorKey) { client in
                        let loop = AgentLoop(provider: provider, tools: FleetTools.all(client: client, gate: Self.bypass))
                        return await loop.run(system: "You run the fleet.", messages: [.user("What does web-1 say?")]) { event in
                            events.withLock { $0.append(event) }
                        }
                    }
                    #expect(result.stop == .answered)
                    #expect(result.answer == "web-1 says kernel-42.")
                    #expect(result.turns == 2 && result.inputTokens == 130 && result.outputTokens == 22)
                    let finished = events.value.compactMap { event -> ToolOutcome? in
                        if case .toolFinished(_, let outcome) = event { return outcome }
                        return nil
                    }
                    #expect(finished.count == 1 && finished[0].content.contains("kernel-42") && !finished[0].isError)
                    // The model's second call carried the tool result, tied to its call id.
                    let second = try #require(server.requests.last).bodyText
                    #expect(second.contains(#""tool_call_id":"call_1""#) && second.contains("kernel-42"))
                    // The prefix "web" was resolved to the real machine before the gate judged it.
                    #expect(second.contains(#"\"hostname\":\"web-1\""#))
                }
            }
        }
    }

    @Test("jarvis's deny rule stops run_command before it reaches the machine, and the model is told")
    func denyRule() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let agent = try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([
                        ("call_1", "run_command", #"{"hostname":"web-1","command":"true && rm -rf /srv/data"}"#),
                        ("call_2", "run_command", #"{"hostname":"web-1","command":"uptime"}"#),
                    ]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("I was not allowed to delete it."), for: ScriptedModel.path)
                    let policy = try PermissionPolicy(yaml: """
                        mode: bypass
                        deny: ["run_command(web-*:rm **)"]
                        """, source: "jarvis.yaml")
                    let gate = JarvisGate(policy: policy)
                    let result = try await mesh.withClient(fleet.operatorKey) { client in
                        await AgentLoop(provider: ScriptedModel.provider(server, transport: curl),
                                        tools: FleetTools.all(client: client, gate: gate))
                            .run(system: "", messages: [.user("Delete /srv/data on web-1")])
                    }
                    #expect(result.stop == .answered)
                    let second = try #require(server.requests.last).bodyText
                    #expect(second.contains("permission_denied: jarvis's permissions refuse this"))
                    // Only the allowed call reached the machine.
                    let machineLog = try CmdopAgentAuditReader.commands(agent.configuration.paths.auditLog)
                    #expect(machineLog == ["execute_command"])
                }
            }
        }
    }

    @Test("an offline machine, an unknown tool and invalid arguments come back as errors the model can read")
    func typedFailures() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("db-1", fleet: fleet)
                    await mesh.stopAgent("db-1")
                    server.enqueue(ScriptedModel.toolCalls([
                        ("a", "run_command", #"{"hostname":"db-1","command":"uptime"}"#),
                        ("b", "reboot_everything", "{}"),
                        ("c", "run_command", #"{"hostname": "db-1", "command": "#),
                    ]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("db-1 is down."), for: ScriptedModel.path)
                    let result = try await mesh.withClient(fleet.operatorKey) { client in
                        try await mesh.waitUntil("db-1 offline") { try await client.machines().first?.online == false }
                        return await AgentLoop(provider: ScriptedModel.provider(server, transport: curl),
                                               tools: FleetTools.all(client: client, gate: Self.bypass))
                            .run(system: "", messages: [.user("check db-1")])
                    }
                    let results = result.messages.filter { $0.role == .tool }
                    #expect(results.map(\.toolCallID) == ["a", "b", "c"])
                    #expect(results.allSatisfy { $0.isError })
                    #expect(results[0].content.hasPrefix("machine_offline"))
                    #expect(results[1].content.contains("there is no tool named reboot_everything"))
                    #expect(results[2].content.contains("not valid JSON"))
                }
            }
        }
    }

    @Test("a model that never stops calling tools is stopped by the turn budget")
    func turnBudget() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                server.setDefault(ScriptedModel.toolCalls([("x", "list_machines", "{}")]), for: ScriptedModel.path)
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let result = try await mesh.withClient(fleet.operatorKey) { client in
                        await AgentLoop(provider: ScriptedModel.provider(server, transport: curl),
                                        tools: FleetTools.all(client: client, gate: Self.bypass),
                                        budget: RunBudget(maxTurns: 3))
                            .run(system: "", messages: [.user("loop forever")])
                    }
                    #expect(result.stop == .turnsSpent)
                    #expect(result.turns == 3)
                    #expect(server.requests.count == 3)
                }
            }
        }
    }

    @Test("orphan tool calls and stray tool results are dropped before a model call")
    func orphans() {
        let answered = ToolCall(id: "1", name: "list_machines", arguments: JSONValue.object([:]))
        let orphan = ToolCall(id: "2", name: "run_command", arguments: JSONValue.object([:]))
        let history: [ChatMessage] = [
            .user("hi"), .assistant("", toolCalls: [answered, orphan]), .toolResult(for: answered, content: "[]"),
            ChatMessage(role: .tool, content: "stray", toolCallID: "9"),
        ]
        let cleaned = History.droppingOrphanToolCalls(history)
        #expect(cleaned.count == 3)
        #expect(cleaned[1].toolCalls.map(\.id) == ["1"])
        #expect(!cleaned.contains { $0.content == "stray" })
    }
}

/// Reads which tools a machine's audit log shows as run (result lines only).
enum CmdopAgentAuditReader {
    static func commands(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["event"] as? String == "result" else { return nil }
            return object["tool"] as? String
        }
    }
}
