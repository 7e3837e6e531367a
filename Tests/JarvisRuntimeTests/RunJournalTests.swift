import CmdopAgent
import CmdopCore
import CmdopCurl
import CmdopMesh
import CmdopPermissions
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import JarvisApprovals
import JarvisCore
import JarvisRuntime
import JarvisTools
import Testing

@Suite("The run journal: a run survives jarvis's restart without repeating effects", .timeLimit(.minutes(1)))
struct RunJournalTests {
    /// Result lines of `execute_command` in a machine's audit log, with their input digests.
    static func executions(_ agent: MachineAgent) -> Int {
        (try? AuditLog(path: agent.configuration.paths.auditLog).entries().filter {
            $0.event == "result" && $0.tool == "execute_command"
        }.count) ?? 0
    }

    @Test("kill jarvis while an approval is pending, restart, approve: the run finishes, the command runs once")
    func restartWhileAwaitingApproval() async throws {
        let folder = try JarvisServiceTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let agent = try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("call_1", "run_command", #"{"hostname":"web-1","command":"echo restarted"}"#)]),
                                   for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("restarted once"), for: ScriptedModel.path)
                    let policy = try PermissionPolicy(yaml: "mode: strict\nask: [\"run_command(web-*:echo *)\"]\n", source: "jarvis.yaml")

                    /// One jarvis "process": its own stores opened from the files, its own loop.
                    @Sendable func jarvis(_ client: MeshClient) throws -> (AgentLoop, RunJournal, ApprovalStore) {
                        let journal = try RunJournal(path: folder + "/journal.db")
                        let approvals = try ApprovalStore(path: folder + "/approvals.db")
                        let gate = JarvisGate(policy: policy, approvals: OnCallApprovals(
                            store: approvals, fleetID: fleet.id, runID: "run-1", requestedBy: "operator:cmdop_alice",
                            timeout: 60, pollInterval: .milliseconds(20)))
                        let loop = AgentLoop(provider: ScriptedModel.provider(server, transport: curl),
                                             tools: FleetTools.all(client: client, gate: gate), journal: journal.entry("run-1"))
                        return (loop, journal, approvals)
                    }

                    // First life: the run asks, and jarvis dies while the approval is pending.
                    try await mesh.withClient(fleet.operatorKey) { client in
                        let (loop, journal, approvals) = try jarvis(client)
                        _ = try journal.begin(runID: "run-1", fleetID: fleet.id, sessionID: "s-1",
                                              messages: [.system(""), .user("restart it")])
                        let run = Task { await loop.run(system: "", messages: [.user("restart it")]) }
                        try await mesh.waitUntil("the approval request") { try !approvals.pending(fleetID: fleet.id).isEmpty }
                        run.cancel()
                        #expect(await run.value.stop == .cancelled)
                    }
                    #expect(Self.executions(agent) == 0)

                    // Second life: resume from the journal; an on-call person approves the same request.
                    let result = try await mesh.withClient(fleet.operatorKey) { client in
                        let (loop, journal, approvals) = try jarvis(client)
                        #expect(try journal.openRuns() == ["run-1"])
                        let checkpoint = try #require(try journal.checkpoint("run-1"))
                        let resumed = Task { await loop.resume(checkpoint) }
                        // The first life's request; were the resumed run to ask again, it would wait
                        // on that second request, which nobody decides, past the suite's time limit.
                        let pending = try approvals.pending(fleetID: fleet.id)
                        #expect(pending.count == 1)
                        try approvals.decide(pending[0].id, fleetID: fleet.id, approve: true, by: "operator:cmdop_bob")
                        let result = await resumed.value
                        #expect(try journal.status("run-1")?.status == "finished")
                        return result
                    }
                    #expect(result.stop == .answered && result.answer == "restarted once")
                    #expect(Self.executions(agent) == 1)
                    #expect(server.requests.count == 2)
                }
            }
        }
    }

    @Test("a call that reached the machine without a recorded result is reported as interrupted, not repeated")
    func effectBegunIsNotRepeated() async throws {
        let folder = try JarvisServiceTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let agent = try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.answer("I will check first."), for: ScriptedModel.path)
                    let journal = try RunJournal(path: folder + "/journal.db")
                    let call = ToolCall(id: "call_9", name: "run_command",
                                        arguments: .parsing(#"{"hostname":"web-1","command":"echo deploy"}"#))
                    let entry = try journal.begin(runID: "run-2", fleetID: fleet.id, sessionID: "s-2",
                                                  messages: [.system(""), .user("deploy"), .assistant("", toolCalls: [call])])
                    entry.toolStarted("call_9")
                    entry.effectBegan("call_9")  // jarvis died right after sending it
                    let result = try await mesh.withClient(fleet.operatorKey) { client in
                        let gate = JarvisGate(policy: try PermissionPolicy(yaml: "mode: bypass\n", source: "jarvis.yaml"))
                        return await AgentLoop(provider: ScriptedModel.provider(server, transport: curl),
                                               tools: FleetTools.all(client: client, gate: gate), journal: entry)
                            .resume(try #require(try journal.checkpoint("run-2")))
                    }
                    let toolResult = try #require(result.messages.first { $0.toolCallID == "call_9" })
                    #expect(toolResult.isError && toolResult.content.hasPrefix("interrupted"))
                    #expect(Self.executions(agent) == 0)
                    #expect(result.stop == .answered)
                }
            }
        }
    }
}
