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
import JarvisTools
import Testing

@Suite("jarvis: ask rules wait for an on-call human", .timeLimit(.minutes(1)))
struct ApprovalFlowTests {
    enum Decision { case approve, deny, none }

    /// Runs one chat whose model calls `echo restarted` on web-1 under an ask rule, while an
    /// on-call person (another task) decides as told. Returns the tool outcome and the store.
    func run(_ decision: Decision, timeout: TimeInterval = 30,
             ruleTimeouts: [String: TimeInterval] = [:]) async throws -> (ToolOutcome, ApprovalStore, [String], String) {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("call_1", "run_command", #"{"hostname":"web-1","command":"echo restarted"}"#)]),
                                   for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("done"), for: ScriptedModel.path)
                    let store = try ApprovalStore(path: FileManager.default.temporaryDirectory.path + "/cmdop-approvals-\(UUID().uuidString).db")
                    server.setDefault(.json("{}"), for: "/hooks/oncall")
                    let approvals = OnCallApprovals(store: store, fleetID: fleet.id, runID: "run-1",
                                                    requestedBy: "operator:cmdop_alice", timeout: timeout,
                                                    pollInterval: .milliseconds(20),
                                                    notifier: SignedNotifier(url: server.baseURL + "/hooks/oncall",
                                                                             secret: "on-call", transport: curl))
                    let policy = try PermissionPolicy(yaml: "mode: strict\nask: [\"run_command(web-*:echo *)\"]\n", source: "jarvis.yaml")
                    let approver = Task {
                        guard decision != .none else { return }
                        try await mesh.waitUntil("a pending approval") { try !store.pending(fleetID: fleet.id).isEmpty }
                        let pending = try store.pending(fleetID: fleet.id)[0]
                        try store.decide(pending.id, fleetID: fleet.id, approve: decision == .approve,
                                         by: "operator:cmdop_bob", reason: decision == .deny ? "change freeze" : "")
                    }
                    let outcomes = Locked<[ToolOutcome]>([])
                    let result = try await mesh.withClient(fleet.operatorKey) { client in
                        await AgentLoop(provider: ScriptedModel.provider(server, transport: curl),
                                        tools: FleetTools.all(client: client, gate: JarvisGate(policy: policy, approvals: approvals,
                                                                                       askTimeouts: ruleTimeouts)))
                            .run(system: "", messages: [.user("restart it")]) { event in
                                if case .toolFinished(_, let outcome) = event { outcomes.withLock { $0.append(outcome) } }
                            }
                    }
                    try await approver.value
                    #expect(result.stop == .answered)
                    let requests = server.requests.map(\.bodyText)
                    return (try #require(outcomes.value.first), store, requests, fleet.id)
                }
            }
        }
    }

    @Test("ask → approve → the command runs and the run continues; on-call hears of the request and the decision")
    func approved() async throws {
        let (outcome, _, requests, _) = try await run(.approve)
        #expect(!outcome.isError && outcome.content.contains("restarted"))
        let hooks = requests.filter { $0.contains(#""type":"approval."#) }
        #expect(hooks.count == 2)
        #expect(hooks.first?.contains(#""type":"approval.requested""#) == true)
        #expect(hooks.last?.contains(#""type":"approval.decided""#) == true && hooks.last?.contains(#""status":"approved""#) == true)
    }

    @Test("ask → deny → the model is told who denied it and why")
    func denied() async throws {
        let (outcome, _, requests, _) = try await run(.deny)
        #expect(outcome.isError && outcome.content.contains("operator:cmdop_bob denied") && outcome.content.contains("change freeze"))
        #expect(requests.last { $0.contains(#""messages""#) }?.contains("change freeze") == true)
    }

    @Test("ask → nobody answers → it expires, which denies, and the model is told")
    func expired() async throws {
        let (outcome, store, _, fleetID) = try await run(.none, timeout: 1)
        #expect(outcome.isError && outcome.content.contains("nobody approved"))
        #expect(try store.pending(fleetID: fleetID).isEmpty)
        let token = outcome.content.split(separator: " ").first { $0.count == 36 }
        let id = String(try #require(token))
        let approval = try store.approval(id, fleetID: fleetID)
        #expect(approval?.status == .expired, "\(id) in \(fleetID): \(String(describing: approval))")
    }

    @Test("an ask rule's own timeout beats the default: its approval expires on the rule's time")
    func ruleTimeout() async throws {
        let (outcome, store, _, fleetID) = try await run(.none, timeout: 600, ruleTimeouts: ["run_command(web-*:echo *)": 1])
        #expect(outcome.isError && outcome.content.contains("within 1 s"), "\(outcome.content)")
        #expect(try store.pending(fleetID: fleetID).isEmpty)
        // The stored approval carries the rule's time, not the default's.
        let id = String(try #require(outcome.content.split(separator: " ").first { $0.count == 36 }))
        let approval = try #require(try store.approval(id, fleetID: fleetID))
        #expect(approval.status == .expired)
        #expect(abs(approval.expiresAt.timeIntervalSince(approval.requestedAt) - 1) < 0.001)
    }
}
