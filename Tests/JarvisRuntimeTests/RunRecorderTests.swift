import CmdopCurl
import CmdopIdentity
import CmdopPermissions
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import JarvisAudit
import JarvisCore
import JarvisRuntime
import JarvisSessions
import JarvisTools
import Testing

@Suite("A run recorded into its session and the audit chain", .timeLimit(.minutes(1)))
struct RunRecorderTests {
    @Test("a chat's tokens and tool activity land in the session; the audit chain links prompt, gate, command and answer")
    func recordsRun() async throws {
        let folder = FileManager.default.temporaryDirectory.path + "/cmdop-run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sessions = try SessionStore(path: folder + "/sessions.db")
        let audit = try AuditChain(path: folder + "/audit.db")
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("call_1", "run_command", #"{"hostname":"web-1","command":"echo ok; exit 3"}"#)]),
                                   for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("web-1 exited 3."), for: ScriptedModel.path)
                    let session = try sessions.createSession(fleetID: fleet.id, title: "check")
                    let recorder = RunRecorder(sessions: sessions, audit: audit, sessionID: session.id, runID: "run-1",
                                               actor: "operator:cmdop_alice")
                    let gate = JarvisGate(policy: try PermissionPolicy(yaml: "mode: bypass\n", source: "jarvis.yaml"),
                                          onDecision: recorder.gateDecided)
                    try recorder.begin(prompt: "check web-1")
                    let result = try await mesh.withClient(fleet.operatorKey) { client in
                        await AgentLoop(provider: ScriptedModel.provider(server, transport: curl),
                                        tools: FleetTools.all(client: client, gate: gate))
                            .run(system: "", messages: [.user("check web-1")], onEvent: recorder.observe)
                    }
                    try recorder.end(result)
                    let kinds = try sessions.events(of: session.id).map(\.kind)
                    #expect(kinds.first == "user_message" && kinds.last == "run_finished")
                    #expect(kinds.contains("tool_started") && kinds.contains("tool_finished") && kinds.contains("token"))
                }
            }
        }
        let records = try audit.records(runID: "run-1")
        // Each model turn's output precedes what it caused: turn 1 asked for the command, turn 2 answered.
        #expect(records.map(\.kind) == ["run_started", "prompt", "model_output", "gate_decision", "command", "model_output", "run_finished"])
        #expect(records[2].details["turn"] == "1" && records[2].details["tool_calls"] == "run_command")
        #expect(records[3].details["decision"] == "allow" && records[3].target == "web-1")
        #expect(records[4].details["exit_code"] == "3" && records[4].target == "web-1")
        #expect(records[5].details["turn"] == "2" && records[5].details["tool_calls"] == "")
        let answered = ModelTurn(number: 2, text: "web-1 exited 3.", calls: [])
        #expect(records[5].details["digest"] == Crypto.hex(Crypto.sha256(answered.canonicalBytes)))
        #expect(records[2].details["digest"]?.count == 64 && records[2].details["digest"] != records[5].details["digest"])
        #expect(records[6].details["stop"] == "answered")
        #expect(records[6].details["answer_digest"] == Crypto.sha256Hex("web-1 exited 3."))
        #expect(try audit.verify() == nil)
    }
}
