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
import JarvisAudit
import JarvisCore
import JarvisRuntime
import JarvisSessions
import JarvisTools
import Testing

@Suite("jarvis as a service: runs that outlive clients and restarts", .timeLimit(.minutes(1)))
struct JarvisServiceTests {
    static let prompt = try! SystemPrompt(template: "You run {{fleet}}.", source: "test")

    /// A jarvis "process" over the files in `folder`.
    static func service(_ folder: String, fleet: TestMesh.Fleet, policy: String, server: FakeLLMServer,
                        curl: CurlHTTPTransport, client: MeshClient) throws -> JarvisService {
        JarvisService(
            settings: JarvisSettings(fleetID: fleet.id, fleetName: fleet.name, systemPrompt: prompt,
                                     policy: try PermissionPolicy(yaml: policy, source: "jarvis.yaml"), approvalTimeout: 60),
            provider: ScriptedModel.provider(server, transport: curl), client: client,
            sessions: try SessionStore(path: folder + "/sessions.db"), audit: try AuditChain(path: folder + "/audit.db"),
            journal: try RunJournal(path: folder + "/journal.db"), approvals: try ApprovalStore(path: folder + "/approvals.db"))
    }

    static func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.path + "/cmdop-jarvis-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a posted message runs to an answer without any client attached; the next message continues the chat")
    func postAndContinue() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("c1", "run_command", #"{"hostname":"web-1","command":"echo up"}"#)]),
                                   for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("web-1 is up."), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("Still up, as I said."), for: ScriptedModel.path)
                    try await mesh.withClient(fleet.operatorKey) { client in
                        let jarvis = try Self.service(folder, fleet: fleet, policy: "mode: bypass\n", server: server,
                                                      curl: curl, client: client)
                        let session = try jarvis.sessions.createSession(fleetID: fleet.id)
                        let first = try await jarvis.post("is web-1 up?", to: session.id, actor: "operator:cmdop_alice")
                        #expect(await jarvis.result(of: first)?.answer == "web-1 is up.")
                        let second = try await jarvis.post("and now?", to: session.id, actor: "operator:cmdop_alice")
                        #expect(await jarvis.result(of: second)?.answer == "Still up, as I said.")
                        let kinds = try jarvis.sessions.events(of: session.id).map(\.kind)
                        #expect(kinds.filter { $0 == "run_finished" }.count == 2)
                        #expect(try jarvis.audit.verify() == nil)
                        await #expect(throws: SessionNotFound.self) {
                            try await jarvis.post("hi", to: UUID().uuidString, actor: "operator:cmdop_alice")
                        }
                    }
                    // The third model call carried the first exchange: the chat continued.
                    let third = try #require(server.requests.last).bodyText
                    #expect(third.contains("web-1 is up.") && third.contains("and now?") && third.contains("You run ops."))
                }
            }
        }
    }

    @Test("runs open when jarvis stops are resumed by the next jarvis and finish once")
    func resumeAfterRestart() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let agent = try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("c1", "run_command", #"{"hostname":"web-1","command":"echo restarted"}"#)]),
                                   for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("Restarted."), for: ScriptedModel.path)
                    let policy = "mode: strict\nask: [\"run_command(web-*:echo *)\"]\n"
                    let (runID, sessionID) = try await mesh.withClient(fleet.operatorKey) { client in
                        let jarvis = try Self.service(folder, fleet: fleet, policy: policy, server: server, curl: curl, client: client)
                        let session = try jarvis.sessions.createSession(fleetID: fleet.id)
                        let runID = try await jarvis.post("restart it", to: session.id, actor: "operator:cmdop_alice")
                        try await mesh.waitUntil("the approval") { try !jarvis.approvals.pending(fleetID: fleet.id).isEmpty }
                        await jarvis.stop()
                        return (runID, session.id)
                    }
                    let result = try await mesh.withClient(fleet.operatorKey) { client in
                        let jarvis = try Self.service(folder, fleet: fleet, policy: policy, server: server, curl: curl, client: client)
                        #expect(try jarvis.resumeOpenRuns() == [runID])
                        // The first life's request; a resumed run that asked again would wait on an
                        // undecided second one (and the audit would show two requests).
                        let pending = try jarvis.approvals.pending(fleetID: fleet.id)
                        #expect(pending.count == 1)
                        try jarvis.approvals.decide(pending[0].id, fleetID: fleet.id, approve: true, by: "operator:cmdop_bob")
                        let result = await jarvis.result(of: runID)
                        #expect(try jarvis.sessions.events(of: sessionID).last?.kind == "run_finished")
                        #expect(try jarvis.audit.verify() == nil)
                        #expect(try jarvis.audit.records(runID: runID).filter { $0.kind == "approval_requested" }.count == 1)
                        return result
                    }
                    #expect(result?.answer == "Restarted.")
                    let executions = try AuditLog(path: agent.configuration.paths.auditLog).entries()
                        .filter { $0.event == "result" && $0.tool == "execute_command" }
                    #expect(executions.count == 1)
                }
            }
        }
    }
}
