import CmdopCurl
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import Testing

/// `cmdop trigger …` and `cmdop webhooks …`, the real binary against a real jarvis.
@Suite("cmdop trigger and cmdop webhooks, the real binary", .timeLimit(.minutes(1)))
struct AutomationCLITests {
    typealias CLI = ChatCLITests.CLI

    @Test("validate names file, line and key, and fails; a valid folder passes")
    func validate() async throws {
        let root = try AutomationTests.definitions([
            "Triggers/ok.yaml": "schedule:\n  every: 1h\nprompt: fine\ntargets: all\n",
            "Triggers/typo.yaml": "schedule:\n  cron: \"61 * * * *\"\nprompt: x\ntargets: all\n",
            "Webhooks/hook.yaml": AutomationTests.hook,
        ])
        let triggers = try CLI(["trigger", "validate", "--definitions", root])
        #expect(await triggers.finish() == 1)
        #expect(triggers.printed.contains("ok trigger ok"))
        #expect(triggers.printed.contains("typo.yaml:2: schedule.cron:"), "\(triggers.printed)")
        #expect(triggers.printed.contains("minute"))
        // TEST_GITHUB_SECRET is not set for the CLI: the file is valid, and the hook would be disabled here.
        let hooks = try CLI(["webhooks", "validate", "--definitions", root])
        #expect(await hooks.finish() == 0, "\(hooks.printed)")
        #expect(hooks.printed.contains("ok webhook hook: POST /hooks/hook, github (disabled here)"), "\(hooks.printed)")
        #expect(hooks.printed.contains("the environment variable TEST_GITHUB_SECRET is not set"), "\(hooks.printed)")
        try FileManager.default.removeItem(atPath: root + "/Triggers/typo.yaml")
        let fixed = try CLI(["trigger", "validate", "--definitions", root])
        #expect(await fixed.finish() == 0)
    }

    @Test("trigger run, history, health, disable; webhooks list, deliveries, replay")
    func verbs() async throws {
        let root = try AutomationTests.definitions([
            "Triggers/disk.yaml": "schedule:\n  every: 1h\nprompt: Check disks.\ntargets: all\n",
            "Webhooks/ci-failed.yaml": AutomationTests.hook,
        ])
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    server.setDefault(ScriptedModel.answer("All good."), for: ScriptedModel.path)
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: bypass\n",
                                                 provider: ScriptedModel.provider(server, transport: curl), curl: curl,
                                                 definitions: root, environment: ["TEST_GITHUB_SECRET": AutomationTests.secret]) { jarvis in
                        let common = ["--jarvis", jarvis.baseURL, "--api-key", fleet.operatorKey]
                        let run = try CLI(["trigger", "run", "disk"] + common)
                        #expect(await run.finish() == 0)
                        #expect(run.printed.contains("started run ") && run.printed.contains("cmdop chat --session"))
                        try await mesh.waitUntil("the fire is in the history") {
                            let history = try CLI(["trigger", "history", "disk"] + common)
                            _ = await history.finish()
                            return history.printed.contains("manual\tsucceeded")
                        }
                        let health = try CLI(["trigger", "health"] + common)
                        #expect(await health.finish() == 0 && health.printed.contains("disk\tlast succeeded"))
                        let disable = try CLI(["trigger", "disable", "disk"] + common)
                        #expect(await disable.finish() == 0)
                        let list = try CLI(["trigger", "list"] + common)
                        #expect(await list.finish() == 0 && list.printed.contains("disk\tevery 1h\tdisabled"), "\(list.printed)")

                        let body = AutomationTests.payload
                        _ = try await jarvis.curl.fetch(.init(method: "POST", url: jarvis.baseURL + "/hooks/ci-failed",
                                                              headers: AutomationTests.githubHeaders(body, delivery: "d-cli"), body: body))
                        let hooks = try CLI(["webhooks", "list"] + common)
                        #expect(await hooks.finish() == 0 && hooks.printed.contains("ci-failed\tPOST /hooks/ci-failed\tgithub"))
                        // A wrong key is the server's refusal: its message alone, exit 1.
                        let refused = try CLI(["webhooks", "deliveries", "ci-failed", "--jarvis", jarvis.baseURL, "--api-key", "cmdop_wrong"])
                        #expect(await refused.finish() == 1, "\(refused.printed)")
                        #expect(refused.printed.contains("401") && !refused.printed.contains("Usage:"), "\(refused.printed)")
                        let deliveries = try CLI(["webhooks", "deliveries", "ci-failed"] + common)
                        #expect(await deliveries.finish() == 0 && deliveries.printed.contains("sender d-cli"))
                        let id = try #require(deliveries.printed.split(separator: "\t").first).description
                        let replay = try CLI(["webhooks", "replay", id] + common)
                        #expect(await replay.finish() == 0 && replay.printed.contains("replayed as delivery"), "\(replay.printed)")
                        try await mesh.waitUntil("both deliveries ran") {
                            try jarvis.automation?.intake.store.deliveries(hook: "ci-failed").filter { $0.state == .finished }.count == 2
                        }
                    }
                }
            }
        }
    }
}
