import CmdopCurl
import CmdopIdentity
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import JarvisAutomation
import JarvisTriggers
import Logging
import Testing

/// Webhooks and triggers end to end: a real jarvis on a real relay with real agents, definitions
/// as files in a temp folder, deliveries signed like GitHub signs them, a scripted model over HTTP.
@Suite("triggers and webhooks start jarvis runs", .timeLimit(.minutes(1)))
struct AutomationTests {
    static let secret = "It's a Secret to Everybody"

    static let hook = """
        verify:
          scheme: github
          secret_env: TEST_GITHUB_SECRET
        filters:
          - header: X-GitHub-Event
            equals: workflow_run
          - field: workflow_run.conclusion
            equals: failure
        prompt: "Workflow {{workflow_run.name}} failed on {{workflow_run.head_branch}}; find out why."
        targets: [web-1]
        """

    /// A folder with Triggers/, Webhooks/ and Prompts/ holding `files` (relative path → text).
    static func definitions(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.path + "/cmdop-defs-\(UUID().uuidString)"
        for folder in ["Triggers", "Webhooks", "Prompts"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for (path, text) in files { try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8) }
        return root
    }

    static let payload: [UInt8] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("JarvisTriggersTests/Fixtures/workflow_run_failure.json").path
        return Array(FileManager.default.contents(atPath: path) ?? Data())
    }()

    static func githubHeaders(_ body: [UInt8], delivery: String, secret: String = secret) -> [(name: String, value: String)] {
        [("X-GitHub-Event", "workflow_run"), ("X-GitHub-Delivery", delivery), ("Content-Type", "application/json"),
         ("X-Hub-Signature-256", "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: Array(secret.utf8), message: body)))]
    }

    func post(_ jarvis: JarvisHarness, _ body: [UInt8], headers: [(name: String, value: String)]) async throws -> (Int, JSONValue, [(name: String, value: String)]) {
        let response = try await jarvis.curl.fetch(HTTPRequest(method: "POST", url: jarvis.baseURL + "/hooks/ci-failed", headers: headers, body: body))
        return (response.status, (try? JSONValue(parsingBytes: response.body)) ?? .null, response.headers)
    }

    @Test("a signed GitHub delivery is stored, answered 202 with its run id, and becomes one run in its own session")
    func webhookBecomesRun() async throws {
        let root = try Self.definitions(["Webhooks/ci-failed.yaml": Self.hook])
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.setDefault(ScriptedModel.answer("The runner's disk is full."), for: ScriptedModel.path)
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n",
                                                 provider: ScriptedModel.provider(server, transport: curl), curl: curl,
                                                 definitions: root, environment: ["TEST_GITHUB_SECRET": Self.secret]) { jarvis in
                        // Refusals first: each with its status, nothing stored, no run.
                        var forged = Self.githubHeaders(Self.payload, delivery: "d-0", secret: "wrong")
                        #expect(try await post(jarvis, Self.payload, headers: forged).0 == 401)
                        forged.removeAll { $0.name == "X-Hub-Signature-256" }
                        #expect(try await post(jarvis, Self.payload, headers: forged).0 == 401)
                        let garbage = Array("{not json".utf8)
                        #expect(try await post(jarvis, garbage, headers: Self.githubHeaders(garbage, delivery: "d-1")).0 == 400)
                        let success = Array(String(decoding: Self.payload, as: UTF8.self).replacingOccurrences(of: "\"failure\"", with: "\"success\"").utf8)
                        let ignored = try await post(jarvis, success, headers: Self.githubHeaders(success, delivery: "d-2"))
                        #expect(ignored.0 == 202 && ignored.1["status"]?.stringValue == "ignored")
                        #expect(try jarvis.automation?.intake.store.deliveries(hook: "ci-failed").isEmpty == true)
                        #expect(server.requests.isEmpty)

                        let accepted = try await post(jarvis, Self.payload, headers: Self.githubHeaders(Self.payload, delivery: "d-3"))
                        #expect(accepted.0 == 202 && accepted.1["status"]?.stringValue == "accepted")
                        let runID = try #require(accepted.1["run_id"]?.stringValue)
                        // The run has its own session (its id is the run's), like any chat.
                        let events = try await jarvis.events("/v1/sessions/\(runID)/events", key: fleet.operatorKey) { events in
                            events.contains { $0.kind == "run_finished" }
                        }
                        #expect(events.first?.data["data"]?["text"]?.stringValue?.contains("failed on") == true)
                        #expect(events.last?.data["data"]?["answer"]?.stringValue == "The runner's disk is full.")
                        // A replay of the same delivery id is answered with the first run, and starts nothing.
                        let replayed = try await post(jarvis, Self.payload, headers: Self.githubHeaders(Self.payload, delivery: "d-3"))
                        #expect(replayed.0 == 200 && replayed.1["run_id"]?.stringValue == runID)
                        // X-GitHub-Delivery is not signed: a captured delivery replayed under a new id is still a replay.
                        let forgedID = try await post(jarvis, Self.payload, headers: Self.githubHeaders(Self.payload, delivery: "d-forged"))
                        #expect(forgedID.0 == 200 && forgedID.1["status"]?.stringValue == "duplicate")
                        try await mesh.waitUntil("the delivery is finished") {
                            try jarvis.automation?.intake.store.deliveries(hook: "ci-failed").first?.state == .finished
                        }
                        #expect(server.requests.count == 1)
                        let listed = try await jarvis.call("GET", "/v1/webhooks/ci-failed/deliveries", key: fleet.operatorKey)
                        #expect(listed.body["deliveries"]?.arrayValue?.count == 1)
                    }
                }
            }
        }
    }

    /// jarvis processes one after another over the same state folder and definitions (the ci-failed
    /// hook), on one relay with agent web-1 and a model that answers "Checked.".
    struct Restarts {
        let mesh: TestMesh
        let fleet: TestMesh.Fleet
        let server: FakeLLMServer
        let curl: CurlHTTPTransport
        let root: String
        let state: String

        /// Runs one jarvis process for `body`; `runAutomation: false` is one that dies before any run starts.
        func jarvis<Result: Sendable>(runAutomation: Bool = true,
                                      _ body: @escaping @Sendable (JarvisHarness) async throws -> Result) async throws -> Result {
            try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n",
                                         provider: ScriptedModel.provider(server, transport: curl), curl: curl, state: state,
                                         definitions: root, environment: ["TEST_GITHUB_SECRET": AutomationTests.secret],
                                         runAutomation: runAutomation, body)
        }

        static func with(_ body: (Restarts) async throws -> Void) async throws {
            let root = try AutomationTests.definitions(["Webhooks/ci-failed.yaml": AutomationTests.hook])
            let state = FileManager.default.temporaryDirectory.path + "/cmdop-state-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: state) }
            try await withCurlTransport { curl in
                try await withFakeLLMServer { server in
                    try await TestMesh.with { mesh in
                        let fleet = try mesh.fleet("ops")
                        try await mesh.startAgent("web-1", fleet: fleet)
                        server.setDefault(ScriptedModel.answer("Checked."), for: ScriptedModel.path)
                        try await body(Restarts(mesh: mesh, fleet: fleet, server: server, curl: curl, root: root, state: state))
                    }
                }
            }
        }
    }

    @Test("jarvis killed between the 202 and the run: after a restart there is exactly one run")
    func exactlyOnceAfterCrash() async throws {
        try await Restarts.with { restarts in
            // The first jarvis acknowledges and dies before any run starts (its dispatcher never runs).
            let runID = try await restarts.jarvis(runAutomation: false) { jarvis in
                let accepted = try await post(jarvis, Self.payload, headers: Self.githubHeaders(Self.payload, delivery: "d-9"))
                #expect(accepted.0 == 202)
                return try #require(accepted.1["run_id"]?.stringValue)
            }
            #expect(restarts.server.requests.isEmpty)
            // The next jarvis over the same files runs it once.
            try await restarts.jarvis { jarvis in
                try await restarts.mesh.waitUntil("the delivery's run finished") {
                    try jarvis.automation?.intake.store.deliveries(hook: "ci-failed").first?.state == .finished
                }
                let runs = try jarvis.service.journal.runs(fleetID: restarts.fleet.id)
                #expect(runs.map(\.id) == [runID] && runs.first?.answer == "Checked.")
            }
            // And a third start finds nothing left to do: a new delivery (another body, so not a
            // replay) runs after the start-up recovery pass, and it is the only new run.
            try await restarts.jarvis { jarvis in
                let next = Self.payload + [0x0A]
                let accepted = try await post(jarvis, next, headers: Self.githubHeaders(next, delivery: "d-10"))
                let nextRun = try #require(accepted.1["run_id"]?.stringValue)
                try await restarts.mesh.waitUntil("the new delivery's run finished") {
                    try jarvis.automation?.intake.store.deliveries(hook: "ci-failed").allSatisfy { $0.state == .finished } == true
                }
                #expect(try Set(jarvis.service.journal.runs(fleetID: restarts.fleet.id).map(\.id)) == [runID, nextRun])
            }
            #expect(restarts.server.requests.count == 2)
        }
    }

    @Test("a delivery marked started whose run the journal lost (a power loss): the next jarvis runs it once")
    func startedButRunLost() async throws {
        try await Restarts.with { restarts in
            let accepted = try await restarts.jarvis(runAutomation: false) { jarvis in
                let answer = try await post(jarvis, Self.payload, headers: Self.githubHeaders(Self.payload, delivery: "d-7"))
                #expect(answer.0 == 202)
                return (run: try #require(answer.1["run_id"]?.stringValue), delivery: try #require(answer.1["delivery_id"]?.stringValue))
            }
            // What a power loss can leave: the delivery's "started" (fsync'd) without the run (journal not yet synced).
            #expect(try DeliveryStore(path: restarts.state + "/deliveries.db").markStarted(deliveryID: accepted.delivery, runID: accepted.run))
            try await restarts.jarvis { jarvis in
                try await restarts.mesh.waitUntil("the delivery's run finished") {
                    try jarvis.automation?.intake.store.delivery(id: accepted.delivery)?.state == .finished
                }
                let delivery = try jarvis.automation?.intake.store.delivery(id: accepted.delivery)
                #expect(delivery?.outcome == .succeeded, "\(String(describing: delivery))")
                let runs = try jarvis.service.journal.runs(fleetID: restarts.fleet.id)
                #expect(runs.map(\.id) == [accepted.run] && runs.first?.answer == "Checked.")
            }
            #expect(restarts.server.requests.count == 1)
        }
    }

    @Test("a re-connect keeps the process's intake hook whose file is broken at that moment, as a reload does")
    func reconnectKeepsLastGoodHook() async throws {
        let root = try Self.definitions(["Webhooks/ci-failed.yaml": Self.hook])
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n", server: server, curl: curl) { jarvis in
                        let state = FileManager.default.temporaryDirectory.path + "/cmdop-state-\(UUID().uuidString)"
                        defer { try? FileManager.default.removeItem(atPath: state) }
                        let configuration = AutomationConfiguration(
                            triggersDirectory: root + "/Triggers", webhooksDirectory: root + "/Webhooks", promptsDirectory: root + "/Prompts",
                            stateDirectory: state, environment: ["TEST_GITHUB_SECRET": Self.secret])
                        let intake = try Automation.makeIntake(configuration)  // as jarvis makes it at start
                        #expect(intake.definition("ci-failed") != nil)
                        try "verify: [unclosed\n".write(toFile: root + "/Webhooks/ci-failed.yaml", atomically: true, encoding: .utf8)
                        // The next connection's automation over the same intake (deliveries taken meanwhile need their hook).
                        let automation = try Automation(configuration: configuration, service: jarvis.service, intake: intake,
                                                        logger: Logger(label: "cmdop.test.automation"))
                        #expect(intake.definition("ci-failed") != nil)
                        #expect(automation.errors.map(\.file) == [root + "/Webhooks/ci-failed.yaml"])
                    }
                }
            }
        }
    }

    @Test("a synchronous hook answers 200 with the run's answer when it finishes in time")
    func synchronousHook() async throws {
        let root = try Self.definitions(["Webhooks/ci-failed.yaml": Self.hook + "\nsync:\n  wait_seconds: 20\n"])
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    server.setDefault(ScriptedModel.answer("Flaky test; re-run it."), for: ScriptedModel.path)
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n",
                                                 provider: ScriptedModel.provider(server, transport: curl), curl: curl,
                                                 definitions: root, environment: ["TEST_GITHUB_SECRET": Self.secret]) { jarvis in
                        let answered = try await post(jarvis, Self.payload, headers: Self.githubHeaders(Self.payload, delivery: "d-5"))
                        #expect(answered.0 == 200 && answered.1["answer"]?.stringValue == "Flaky test; re-run it.")
                        #expect(answered.1["stop"]?.stringValue == "answered")
                    }
                }
            }
        }
    }

    @Test("a trigger's targets bind its run: a machine outside them is refused by jarvis's gate")
    func targetsBindTheRun() async throws {
        let root = try Self.definitions(["Triggers/web.yaml": "schedule:\n  every: 1h\nprompt: Check the web tier.\ntargets: [web-]\n"])
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    try await mesh.startAgent("db-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([
                        ("c1", "run_command", #"{"hostname":"db-1","command":"echo db"}"#),
                        ("c2", "run_command", #"{"hostname":"web-1","command":"echo web"}"#),
                    ]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("checked"), for: ScriptedModel.path)
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n",
                                                 provider: ScriptedModel.provider(server, transport: curl), curl: curl,
                                                 definitions: root) { jarvis in
                        let key = fleet.operatorKey
                        let runID = try #require(try await jarvis.call("POST", "/v1/triggers/web/run", key: key).body["run_id"]?.stringValue)
                        let events = try await jarvis.events("/v1/sessions/\(runID)/events", key: key) { events in
                            events.contains { $0.kind == "run_finished" }
                        }
                        let finished = events.filter { $0.kind == "tool_finished" }.compactMap { $0.data["data"] }
                        let db = finished.first { $0["id"]?.stringValue == "c1" }
                        let web = finished.first { $0["id"]?.stringValue == "c2" }
                        #expect(db?["is_error"] == true && db?["content"]?.stringValue?.contains("not among this run's targets") == true)
                        #expect(web?["is_error"] == false && web?["content"]?.stringValue?.contains("web") == true)
                    }
                }
            }
        }
    }

    @Test("a trigger run from the API becomes a run with history; definitions reload on change and keep the last good one")
    func triggersAndReload() async throws {
        let trigger = "schedule:\n  every: 1h\nprompt: Check disk space on every machine.\ntargets: all\n"
        let root = try Self.definitions(["Triggers/disk.yaml": trigger])
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    server.setDefault(ScriptedModel.answer("Disks are fine."), for: ScriptedModel.path)
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n",
                                                 provider: ScriptedModel.provider(server, transport: curl), curl: curl,
                                                 definitions: root) { jarvis in
                        let key = fleet.operatorKey
                        let started = try await jarvis.call("POST", "/v1/triggers/disk/run", key: key)
                        #expect(started.status == 202)
                        let runID = try #require(started.body["run_id"]?.stringValue)
                        try await mesh.waitUntil("the trigger's run is in its history") {
                            let history = try await jarvis.call("GET", "/v1/triggers/disk/history", key: key)
                            return history.body["history"]?.arrayValue?.first?["outcome"]?.stringValue == "succeeded"
                        }
                        let run = try await jarvis.call("GET", "/v1/runs/\(runID)", key: key)
                        #expect(run.body["answer"]?.stringValue == "Disks are fine." && run.body["actor"]?.stringValue == "trigger:disk")
                        #expect(try await jarvis.call("POST", "/v1/triggers/nope/run", key: key).status == 404)
                        // A new file appears: it is picked up without a restart.
                        try "schedule:\n  cron: \"0 3 * * *\"\nprompt: Nightly.\ntargets: all\n".write(toFile: root + "/Triggers/nightly.yaml", atomically: true, encoding: .utf8)
                        try await mesh.waitUntil("the new trigger is listed") {
                            let list = try await jarvis.call("GET", "/v1/triggers", key: key)
                            return list.body["triggers"]?.arrayValue?.count == 2
                        }
                        // A typo breaks the file: the error names file, line and key; the last good definition stays.
                        try "shedule:\n  every: 1h\nprompt: Check.\ntargets: all\n".write(toFile: root + "/Triggers/disk.yaml", atomically: true, encoding: .utf8)
                        var errors: [String] = []
                        try await mesh.waitUntil("the typo is reported") {
                            let list = try await jarvis.call("GET", "/v1/triggers", key: key)
                            errors = list.body["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
                            return !errors.isEmpty && list.body["triggers"]?.arrayValue?.count == 2
                        }
                        #expect(errors.first?.contains("disk.yaml:1: shedule") == true)
                        #expect(errors.first?.contains("schedule") == true)
                        // Disabling persists and shows in health.
                        #expect(try await jarvis.call("POST", "/v1/triggers/nightly/disable", key: key).status == 200)
                        let health = try await jarvis.call("GET", "/v1/triggers/health", key: key)
                        let nightly = health.body["health"]?.arrayValue?.first { $0["name"]?.stringValue == "nightly" }
                        #expect(nightly?["enabled"] == false)
                        // Managing schedules needs the scope.
                        let readOnly = try mesh.store.createAPIKey(fleetID: fleet.id, scopes: [.machinesRead], label: "ro").key
                        #expect(try await jarvis.call("GET", "/v1/triggers", key: readOnly).status == 403)
                    }
                }
            }
        }
    }
}
