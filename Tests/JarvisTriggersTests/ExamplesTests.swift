import CmdopIdentity
import Foundation
import JarvisSchedule
import JarvisTriggers
import Testing

@Suite("The shipped examples load and do what they say")
struct ExamplesTests {
    static let secret = "It's a Secret to Everybody"

    static func loadExamples() throws -> DefinitionLoader.Result {
        let root = try #require(Examples.root(), "examples/ (or Triggers/, Webhooks/ at the repository root) not found")
        return DefinitionLoader.load(
            triggersDirectory: (root as NSString).appendingPathComponent("Triggers"),
            webhooksDirectory: (root as NSString).appendingPathComponent("Webhooks"),
            promptsDirectory: (root as NSString).appendingPathComponent("Prompts"),
            environment: ["GITHUB_WEBHOOK_SECRET": secret])
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    @Test("both examples load without errors")
    func load() throws {
        let result = try Self.loadExamples()
        #expect(result.errors.isEmpty, "\(result.errors)")
        let nightly = try #require(result.triggers.first { $0.name == "nightly-health" })
        #expect(nightly.schedule == .cron(try CronExpression("30 2 * * *", timeZone: TimeZone(identifier: "Europe/Berlin")!)))
        #expect(nightly.targets == .all)
        #expect(nightly.promptFile == "nightly-health.md")
        #expect(nightly.prompt.contains("systemctl --failed"))
        #expect(nightly.prompt.contains("df -h"))
        #expect(nightly.missed == .runOnce)
        let hook = try #require(result.webhooks.first { $0.name == "github-workflow-failed" })
        #expect(hook.route == "/hooks/github-workflow-failed")
        #expect(hook.scheme == .github)
        #expect(hook.deliveryIDHeader == "x-github-delivery")
        #expect(hook.secretEnvironmentNames == ["GITHUB_WEBHOOK_SECRET"])
        #expect(!hook.description.contains(Self.secret))
        #expect(hook.filters == [
            WebhookFilter(.header("x-github-event"), .equals("workflow_run")),
            WebhookFilter(.field("action"), .equals("completed")),
            WebhookFilter(.field("workflow_run.conclusion"), .equals("failure")),
        ])
    }

    @Test("the GitHub example renders its prompt from a real-shaped failed workflow_run and stores it")
    func githubExampleEndToEnd() async throws {
        let hook = try #require(try Self.loadExamples().webhooks.first { $0.name == "github-workflow-failed" })
        let folder = try TemporaryFolder()
        let store = try DeliveryStore(path: folder.sub("deliveries.sqlite"))
        let intake = WebhookIntake(definitions: [hook], store: store)
        let body = try Self.fixture("workflow_run_failure")
        let headers = [
            "x-github-event": "workflow_run", "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
            "x-hub-signature-256": "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: Array(Self.secret.utf8), message: body)),
            "content-type": "application/json", "user-agent": "GitHub-Hookshot/044aadd",
        ]
        let response = await intake.receive(hook: hook.name, headers: headers, body: body, now: Date())
        #expect(response.status == 202)
        #expect(response.fields["status"] == "accepted")
        let deliveryID = try #require(response.fields["delivery_id"])
        let prompt = try #require(try store.delivery(id: deliveryID)).prompt
        #expect(prompt.hasPrefix("The GitHub Actions workflow \"CI\" failed.\nRepository: acme/cmdop\n"))
        #expect(prompt.contains("Branch: feature/retry-backoff (commit 3f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39, "
            + "\"Honour Retry-After in the provider retries\")"))
        #expect(prompt.contains("Run: https://github.com/acme/cmdop/actions/runs/13092546337 (run #482, attempt 2, id 13092546337)"))
        #expect(prompt.contains("Started by: dana-ops via pull_request"))
        #expect(!prompt.contains("{{"))

        var success = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
        var run = success["workflow_run"] as? [String: Any] ?? [:]
        run["conclusion"] = "success"
        success["workflow_run"] = run
        let passed = Array(try JSONSerialization.data(withJSONObject: success))
        var passedHeaders = headers
        passedHeaders["x-github-delivery"] = "another-delivery"
        passedHeaders["x-hub-signature-256"] = "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: Array(Self.secret.utf8), message: passed))
        let ignored = await intake.receive(hook: hook.name, headers: passedHeaders, body: passed, now: Date())
        #expect(ignored.status == 202)
        #expect(ignored.fields == ["status": "ignored", "reason": "field workflow_run.conclusion is 'success', not 'failure'"])
        #expect(try store.deliveries(hook: hook.name).count == 1)
    }

    @Test("templates see payload fields, sections, headers, and are not HTML-escaped; credentials are hidden")
    func templateRendering() throws {
        let template = try PromptTemplate("""
            {{workflow_run.head_commit.message}}
            {{#workflow_run.pull_requests}}PR #{{number}} into {{base.ref}}{{/workflow_run.pull_requests}}
            {{^workflow_run.missing}}no such field{{/workflow_run.missing}} event={{headers.x-github-event}} auth=[{{headers.authorization}}]
            """)
        let payload = try PayloadValue.parse(try Self.fixture("workflow_run_failure"))
        let text = template.render(payload: payload, headers: ["x-github-event": "workflow_run", "authorization": "Bearer t0k3n"])
        #expect(text == """
            Honour Retry-After in the provider retries

            Cap the wait at 60 s & log it.
            PR #217 into main
            no such field event=workflow_run auth=[]
            """)
    }
}
