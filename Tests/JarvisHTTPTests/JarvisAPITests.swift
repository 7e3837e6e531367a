import CmdopCurl
import CmdopProviders
import CmdopProvidersTesting
import CmdopStorage
import CmdopTesting
import Foundation
import Testing

@Suite("jarvis's HTTP API over a real relay, real agents and a real HTTP server", .timeLimit(.minutes(1)))
struct JarvisAPITests {
    @Test("chat over HTTP: create a session, post, stream events over SSE, re-attach with Last-Event-ID")
    func chatOverHTTP() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("c1", "run_command", #"{"hostname":"web-1","command":"echo up-$((20+22))"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("web-1 says up-42."), for: ScriptedModel.path)
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n", server: server, curl: curl) { jarvis in
                        let key = fleet.operatorKey
                        #expect(try await jarvis.call("GET", "/healthz", key: nil).status == 200)
                        let created = try await jarvis.call("POST", "/v1/sessions", key: key, json: #"{"title":"web check"}"#)
                        #expect(created.status == 201)
                        let sessionID = try #require(created.body["id"]?.stringValue)
                        let posted = try await jarvis.call("POST", "/v1/sessions/\(sessionID)/messages", key: key, json: #"{"text":"is web-1 up?"}"#)
                        #expect(posted.status == 202)
                        let runID = try #require(posted.body["run_id"]?.stringValue)
                        // The whole run, live, over SSE.
                        let all = try await jarvis.events("/v1/sessions/\(sessionID)/events?after=0", key: key) { events in
                            events.contains { $0.kind == "run_finished" }
                        }
                        let kinds = all.map(\.kind)
                        #expect(kinds.first == "user_message" && kinds.last == "run_finished")
                        #expect(kinds.contains("tool_started") && kinds.contains("tool_finished") && kinds.contains("token"))
                        #expect(all.map(\.id) == Array(1...Int64(all.count)))
                        let finished = try #require(all.last?.data["data"])
                        #expect(finished["answer"]?.stringValue == "web-1 says up-42.")
                        // A client that saw up to the third event re-attaches from another device: exactly the rest, in order.
                        let rest = try await jarvis.events("/v1/sessions/\(sessionID)/events", key: key, lastEventID: "3") { events in
                            events.contains { $0.kind == "run_finished" }
                        }
                        #expect(rest.map(\.id) == Array(all.map(\.id).dropFirst(3)))
                        #expect(rest.map(\.kind) == Array(kinds.dropFirst(3)))
                        // Polling clients get the same events as JSON.
                        let polled = try await jarvis.call("GET", "/v1/sessions/\(sessionID)/events?after=3&follow=false", key: key)
                        #expect(polled.body["events"]?.arrayValue?.count == all.count - 3)
                        let run = try await jarvis.call("GET", "/v1/runs/\(runID)", key: key)
                        #expect(run.body["status"]?.stringValue == "finished" && run.body["answer"]?.stringValue == "web-1 says up-42.")
                        let machines = try await jarvis.call("GET", "/v1/machines", key: key)
                        #expect(machines.body["machines"]?.arrayValue?.compactMap { $0["hostname"]?.stringValue } == ["web-1"])
                    }
                }
            }
        }
    }

    @Test("keys: none → 401, another fleet's → 401 and sees nothing, a missing scope → 403")
    func keysAreFleetScoped() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let other = try mesh.fleet("other")
                    let (readOnlyRecord, readOnly) = try mesh.store.createAPIKey(fleetID: fleet.id, scopes: [.machinesRead], label: "ro")
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n", server: server, curl: curl) { jarvis in
                        let session = try jarvis.service.sessions.createSession(fleetID: fleet.id, title: "secret")
                        #expect(try await jarvis.call("GET", "/v1/sessions", key: nil).status == 401)
                        #expect(try await jarvis.call("GET", "/v1/sessions", key: "cmdop_forged").status == 401)
                        let foreign = try await jarvis.call("GET", "/v1/sessions", key: other.operatorKey)
                        #expect(foreign.status == 401 && foreign.body["sessions"] == nil)
                        #expect(try await jarvis.call("GET", "/v1/sessions/\(session.id)/events?follow=false", key: other.operatorKey).status == 401)
                        #expect(try await jarvis.call("POST", "/v1/sessions/\(session.id)/messages", key: other.operatorKey, json: #"{"text":"hi"}"#).status == 401)
                        #expect(try await jarvis.call("GET", "/v1/approvals", key: other.operatorKey).status == 401)
                        let denied = try await jarvis.call("GET", "/v1/sessions", key: readOnly)
                        #expect(denied.status == 403 && denied.body["error"]?.stringValue?.contains("agent:invoke") == true)
                        #expect(try await jarvis.call("GET", "/v1/machines", key: readOnly).status == 200)
                        let listed = try await jarvis.call("GET", "/v1/sessions", key: fleet.operatorKey)
                        #expect(listed.body["sessions"]?.arrayValue?.first?["title"]?.stringValue == "secret")
                        #expect(try await jarvis.call("POST", "/v1/sessions/\(session.id)/messages", key: fleet.operatorKey, json: "not json").status == 400)
                        #expect(try await jarvis.call("GET", "/v1/sessions/nope/events", key: fleet.operatorKey).status == 404)
                        // A revoked key stops working (within the authenticator's short cache).
                        _ = try mesh.store.revokeAPIKey(readOnlyRecord.id)
                        try await mesh.waitUntil("revocation seen") {
                            try await jarvis.call("GET", "/v1/machines", key: readOnly).status == 401
                        }
                    }
                }
            }
        }
    }

    @Test("approvals over HTTP: the run parks, the requester cannot approve itself, another on-call key approves")
    func approvalsOverHTTP() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let onCall = try mesh.store.createAPIKey(fleetID: fleet.id, scopes: [.approvalsDecide], label: "on-call").key
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("c1", "run_command", #"{"hostname":"web-1","command":"echo approved-$((1+1))"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("Done: approved-2."), for: ScriptedModel.path)
                    let policy = "mode: strict\nask: [\"run_command(web-*:echo *)\"]\n"
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: policy, server: server, curl: curl) { jarvis in
                        let key = fleet.operatorKey
                        let sessionID = try #require(try await jarvis.call("POST", "/v1/sessions", key: key).body["id"]?.stringValue)
                        _ = try await jarvis.call("POST", "/v1/sessions/\(sessionID)/messages", key: key, json: #"{"text":"echo it"}"#)
                        var pending: [JSONValue] = []
                        try await mesh.waitUntil("an approval is pending") {
                            pending = try await jarvis.call("GET", "/v1/approvals", key: onCall).body["approvals"]?.arrayValue ?? []
                            return !pending.isEmpty
                        }
                        let approval = try #require(pending.first)
                        #expect(approval["tool"]?.stringValue == "run_command" && approval["targets"] == ["web-1"])
                        let id = try #require(approval["id"]?.stringValue)
                        // A second message while the run is parked is refused, not interleaved.
                        #expect(try await jarvis.call("POST", "/v1/sessions/\(sessionID)/messages", key: key, json: #"{"text":"again"}"#).status == 409)
                        let selfApproval = try await jarvis.call("POST", "/v1/approvals/\(id)/approve", key: key)
                        #expect(selfApproval.status == 409)
                        #expect(try await jarvis.call("POST", "/v1/approvals/\(id)/approve", key: readOnlyKey(mesh, fleet)).status == 403)
                        let decided = try await jarvis.call("POST", "/v1/approvals/\(id)/approve", key: onCall, json: #"{"reason":"planned"}"#)
                        #expect(decided.status == 200 && decided.body["status"]?.stringValue == "approved")
                        #expect(decided.body["decided_by"]?.stringValue?.hasPrefix("operator:") == true)
                        #expect(try await jarvis.call("POST", "/v1/approvals/\(id)/deny", key: onCall).status == 409)
                        let events = try await jarvis.events("/v1/sessions/\(sessionID)/events", key: key) { events in
                            events.contains { $0.kind == "run_finished" }
                        }
                        #expect(events.last?.data["data"]?["answer"]?.stringValue == "Done: approved-2.")
                        // Attached clients saw the approval asked for and decided, and by whom.
                        let requested = try #require(events.first { $0.kind == "approval_requested" })
                        #expect(requested.data["data"]?["approval_id"]?.stringValue == id)
                        let decidedEvent = try #require(events.first { $0.kind == "approval_decided" })
                        #expect(decidedEvent.data["data"]?["status"]?.stringValue == "approved")
                        #expect(decidedEvent.data["data"]?["decided_by"] == decided.body["decided_by"])
                        #expect(requested.id < decidedEvent.id)
                        #expect(events.contains { $0.kind == "tool_finished" && $0.data["data"]?["content"]?.stringValue?.contains("approved-2") == true })
                    }
                }
            }
        }
    }

    @Test("a run's own budget is validated, kept in the journal and applied")
    func perRunBudget() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    // The model would keep calling tools; a one-turn budget stops it after the first.
                    server.setDefault(ScriptedModel.toolCalls([("c1", "list_machines", "{}")]), for: ScriptedModel.path)
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n", server: server, curl: curl) { jarvis in
                        let key = fleet.operatorKey
                        let sessionID = try #require(try await jarvis.call("POST", "/v1/sessions", key: key).body["id"]?.stringValue)
                        let bad = try await jarvis.call("POST", "/v1/sessions/\(sessionID)/messages", key: key,
                                                        json: #"{"text":"go","budget":{"max_turns":99}}"#)
                        #expect(bad.status == 400 && bad.body["error"]?.stringValue?.contains("max_turns") == true)
                        let typo = try await jarvis.call("POST", "/v1/sessions/\(sessionID)/messages", key: key,
                                                         json: #"{"text":"go","budget":{"max_turn":1}}"#)
                        #expect(typo.status == 400 && typo.body["error"]?.stringValue?.contains("max_turn ") == true)
                        let posted = try await jarvis.call("POST", "/v1/sessions/\(sessionID)/messages", key: key,
                                                           json: #"{"text":"go","budget":{"max_turns":1,"timeout_seconds":30}}"#)
                        let runID = try #require(posted.body["run_id"]?.stringValue)
                        let events = try await jarvis.events("/v1/sessions/\(sessionID)/events", key: key) { events in
                            events.contains { $0.kind == "run_finished" }
                        }
                        #expect(events.last?.data["data"]?["stop"]?.stringValue == "turnsSpent")
                        let kept = try jarvis.service.journal.settings(of: runID)
                        #expect(kept.budget?.maxTurns == 1 && kept.budget?.maxWallTime == .seconds(30))
                    }
                }
            }
        }
    }

    func readOnlyKey(_ mesh: TestMesh, _ fleet: TestMesh.Fleet) throws -> String {
        try mesh.store.createAPIKey(fleetID: fleet.id, scopes: [.machinesRead], label: "ro").key
    }
}
