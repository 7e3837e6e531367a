import CmdopIdentity
import Foundation
import JarvisSchedule
import JarvisTriggers
import Testing

@Suite("Definition files: every error names its file, line and key")
struct DefinitionLoaderTests {
    static let environment = ["GITHUB_WEBHOOK_SECRET": "It's a Secret to Everybody"]

    /// Loads one file written into `Triggers/` or `Webhooks/` of a fresh folder.
    static func load(_ relative: String, _ yaml: String, prompts: [String: String] = [:],
                     environment: [String: String] = environment) throws -> (DefinitionLoader.Result, String) {
        let folder = try TemporaryFolder()
        let path = try folder.write(relative, yaml)
        for (name, text) in prompts { try folder.write("Prompts/\(name)", text) }
        let result = DefinitionLoader.load(triggersDirectory: folder.sub("Triggers"), webhooksDirectory: folder.sub("Webhooks"),
                                           promptsDirectory: folder.sub("Prompts"), environment: environment)
        return (result, path)
    }

    @Test("each invalid file yields one error at the right line and key, with a fix", arguments: [
        ("Triggers/typo.yaml", "shedule:\n  cron: \"0 * * * *\"\nprompt: hi\ntargets: all\n", 1, "shedule", "Did you mean `schedule`?"),
        ("Triggers/cron.yaml", "schedule:\n  cron: \"30 25 * * *\"\nprompt: hi\ntargets: all\n", 2, "schedule.cron", "the hour field '25' is invalid"),
        ("Triggers/feb30.yaml", "schedule:\n  cron: \"0 0 30 2 *\"\nprompt: hi\ntargets: all\n", 2, "schedule.cron", "never fires"),
        ("Triggers/overlap.yaml", "schedule:\n  every: 15m\nprompt: hi\ntargets: all\noverlap: cancel\n", 5, "overlap",
         "Use one of: skip, queue, cancel-previous"),
        ("Triggers/prompt-file.yaml", "schedule:\n  every: 1h\nprompt_file: missing.md\ntargets: all\n", 3, "prompt_file",
         "missing.md does not exist"),
        ("Triggers/short.yaml", "schedule:\n  every: 5s\nprompt: hi\ntargets: all\n", 2, "schedule.every", "the shortest interval is 10s"),
        ("Triggers/zone.yaml", "schedule:\n  cron: \"0 2 * * *\"\n  timezone: Europe/Berlinn\nprompt: hi\ntargets: all\n", 3,
         "schedule.timezone", "is not a time zone"),
        ("Triggers/turns.yaml", "schedule:\n  every: 1h\nprompt: hi\ntargets: all\nbudget:\n  max_turns: 51\n", 6, "budget.max_turns",
         "from 1 to 50"),
        ("Triggers/both.yaml", "schedule:\n  every: 1h\nprompt: hi\nprompt_file: a.md\ntargets: all\n", 4, "prompt_file", "not both"),
        ("Triggers/no-targets.yaml", "schedule:\n  every: 1h\nprompt: hi\n", 1, "targets", "add `targets: all`"),
        ("Triggers/Bad Name.yaml", "schedule:\n  every: 1h\nprompt: hi\ntargets: all\n", 1, "name", "add `name: bad-name`"),
        ("Webhooks/literal.yaml", "verify:\n  scheme: github\n  secret: hunter2\nprompt: hi\ntargets: all\n", 3, "verify.secret",
         "with `secret_env: NAME`"),
        ("Webhooks/env-and-header.yaml", "verify:\n  scheme: hmac-sha256\n  secret_env: CI_HOOK_SECRET\nprompt: hi\ntargets: all\n", 2,
         "verify.header", "name the header"),
        ("Webhooks/value.yaml", "verify:\n  scheme: standard-webhooks\n  secret_env: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\nprompt: hi\ntargets: all\n",
         3, "verify.secret_env", "never the secret itself"),
        ("Webhooks/template.yaml", "verify:\n  scheme: github\n  secret_env: GITHUB_WEBHOOK_SECRET\ntargets: all\nprompt: |\n  Run {{workflow_run.name}}\n  {{#workflow_run}}{{name}}{{/workflow}}\n",
         7, "prompt", "template line 2"),
        ("Webhooks/body.yaml", "verify:\n  scheme: github\n  secret_env: GITHUB_WEBHOOK_SECRET\nprompt: hi\ntargets: all\nmax_body: 20000000\n",
         6, "max_body", "1 MiB is 1048576"),
        ("Webhooks/sync.yaml", "verify:\n  scheme: github\n  secret_env: GITHUB_WEBHOOK_SECRET\nprompt: hi\ntargets: all\nsync:\n  wait_seconds: 121\n",
         7, "sync.wait_seconds", "from 1 to 120"),
        ("Webhooks/filter.yaml", "verify:\n  scheme: github\n  secret_env: GITHUB_WEBHOOK_SECRET\nprompt: hi\ntargets: all\nfilters:\n  - header: X-GitHub-Event\n    exists: true\n",
         8, "filters[0].exists", "applies to `field:` filters"),
        ("Webhooks/hmac.yaml", "verify:\n  scheme: hmac-sha256\n  secret_env: GITHUB_WEBHOOK_SECRET\nprompt: hi\ntargets: all\n", 2,
         "verify.header", "name the header"),
        ("Webhooks/scheme.yaml", "verify:\n  scheme: gitlab\n  secret_env: GITHUB_WEBHOOK_SECRET\nprompt: hi\ntargets: all\n", 2,
         "verify.scheme", "github, standard-webhooks, hmac-sha256, bearer"),
    ])
    func invalid(relative: String, yaml: String, line: Int, key: String, fragment: String) throws {
        let (result, path) = try Self.load(relative, yaml)
        #expect(result.triggers.isEmpty && result.webhooks.isEmpty)
        let error = try #require(result.errors.first)
        #expect(result.errors.count == 1)
        #expect(error.file == path)
        #expect(error.line == line)
        #expect(error.key == key)
        #expect(error.message.contains(fragment), "message was: \(error.message)")
        #expect(error.description.hasPrefix("\(path):\(line): \(key): "))
    }

    @Test("a webhook whose secret variable is not set loads disabled, saying what to set")
    func missingSecretDisables() async throws {
        let (result, path) = try Self.load("Webhooks/env.yaml", "verify:\n  scheme: github\n  secret_env: CI_HOOK_SECRET\nprompt: hi\ntargets: all\n")
        #expect(result.errors.isEmpty)
        let hook = try #require(result.webhooks.first)
        #expect(!hook.isEnabled)
        let reason = try #require(hook.disabledReason)
        #expect(reason.contains("the environment variable CI_HOOK_SECRET is not set") && reason.contains("restart") && reason.contains(path))
        #expect(hook.description.contains("disabled") && !hook.description.contains("Secret to Everybody"))
        // Its route answers 503, whatever is sent, and stores nothing; an anonymous sender learns
        // neither the variable nor the file.
        let fixture = try WebhookIntakeTests.Fixture([hook])
        let reply = await fixture.intake.receive(hook: "env", headers: WebhookIntakeTests.githubHeaders([0x7B, 0x7D]), body: [0x7B, 0x7D])
        #expect(reply.status == 503)
        let error = reply.fields["error"] ?? ""
        #expect(error.contains("webhook 'env' is disabled"), "\(error)")
        #expect(!error.contains("CI_HOOK_SECRET") && !error.contains(path), "\(error)")
        #expect(try fixture.count("deliveries") == 0)
    }

    @Test("a rotation list with one secret unset disables the hook and names only that variable")
    func oneOfSeveralMissing() throws {
        let yaml = "verify:\n  scheme: standard-webhooks\n  secret_envs: [HOOK_SECRET, HOOK_SECRET_NEXT]\nprompt: hi\ntargets: all\n"
        let (result, _) = try Self.load("Webhooks/rotated.yaml", yaml, environment: ["HOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        let hook = try #require(result.webhooks.first, "\(result.errors)")
        #expect(hook.disabledReason?.contains("the environment variable HOOK_SECRET_NEXT is not set") == true)
        #expect(hook.disabledReason?.contains("HOOK_SECRET,") == false && hook.disabledReason?.contains("variables") == false)
        // A secret that is set is still checked: a wrong value is an error, not a disabled hook.
        let (wrong, _) = try Self.load("Webhooks/rotated.yaml", yaml, environment: ["HOOK_SECRET": "hunter2!"])
        #expect(wrong.webhooks.isEmpty && wrong.errors.first?.message.contains("not a Standard Webhooks secret") == true)
    }

    @Test("the cron error is CronError's own words, wrapped with file, line and key")
    func cronWording() throws {
        let (result, path) = try Self.load("Triggers/dow.yaml", "# nightly\nschedule:\n  cron: \"0 2 * * MON-FUNDAY\"\nprompt: x\ntargets: all\n")
        let error = try #require(result.errors.first)
        let cronMessage = try #require(throws: CronError.self) { try CronExpression("0 2 * * MON-FUNDAY") }.message
        #expect(error.description == "\(path):3: schedule.cron: \(cronMessage). Fix the expression, e.g. \"30 2 * * *\" for 02:30 every day.")
        #expect(error.message.contains("day-of-week"))
    }

    @Test("a literal secret is refused without echoing it")
    func literalSecretNotEchoed() throws {
        let (result, _) = try Self.load("Webhooks/leak.yaml", "verify:\n  scheme: bearer\n  token: s3cr3t-token-value\nprompt: hi\ntargets: all\n")
        let error = try #require(result.errors.first)
        #expect(error.key == "verify.token")
        #expect(!error.description.contains("s3cr3t-token-value"))
    }

    @Test("one bad file does not hide the good ones, and duplicate names are errors naming both files")
    func badFileAndDuplicates() throws {
        let folder = try TemporaryFolder()
        try folder.write("Triggers/a.yaml", "schedule:\n  every: 15m\nprompt: first\ntargets: all\n")
        let second = try folder.write("Triggers/b.yaml", "# same name\nname: a\nschedule:\n  every: 1h\nprompt: second\ntargets: all\n")
        try folder.write("Triggers/c.yaml", "schedule:\n  every: 1h\nprompt: third\ntargets: [web-1, db-, web-1]\nmodel: \"@fast\"\n")
        try folder.write("Triggers/d.yaml", "schedule: [nope]\n")
        try folder.write("Triggers/notes.txt", "not yaml")
        let result = DefinitionLoader.load(triggersDirectory: folder.sub("Triggers"), webhooksDirectory: folder.sub("Webhooks"),
                                           promptsDirectory: folder.sub("Prompts"), environment: [:])
        #expect(result.triggers.map(\.name) == ["a", "c"])
        #expect(result.triggers.first?.prompt == "first")
        #expect(result.triggers.last?.targets == .machines(["web-1", "db-"]))
        #expect(result.triggers.last?.model == "@fast")
        #expect(result.errors.count == 2)
        let duplicate = try #require(result.errors.first { $0.file == second })
        #expect(duplicate.line == 2)
        #expect(duplicate.key == "name")
        #expect(duplicate.message.contains("already used by \(folder.sub("Triggers/a.yaml"))"))
        #expect(result.errors.contains { $0.file.hasSuffix("d.yaml") && $0.key == "schedule" && $0.line == 1 })
    }

    @Test("a valid trigger reads every key; defaults apply where keys are absent")
    func fullTrigger() throws {
        let yaml = """
            name: backups
            schedule:
              cron: "0 3 * * 1-5"
              timezone: America/New_York
            prompt_file: checks/backups.md
            targets: all
            model: "@smart"
            budget:
              max_turns: 8
              max_tokens: 20000
              max_cost: 0.5
              timeout: 120
            overlap: queue
            missed: run-once
            enabled: false
            """
        let (result, _) = try Self.load("Triggers/whatever.yaml", yaml, prompts: ["checks/backups.md": "Check the backups."])
        #expect(result.errors.isEmpty)
        let trigger = try #require(result.triggers.first)
        #expect(trigger.name == "backups")
        #expect(trigger.schedule == .cron(try CronExpression("0 3 * * 1-5", timeZone: TimeZone(identifier: "America/New_York")!)))
        #expect(trigger.prompt == "Check the backups.")
        #expect(trigger.promptFile == "checks/backups.md")
        #expect(trigger.limits == RunLimits(maxTurns: 8, maxTokens: 20000, maxCost: 0.5, timeout: .seconds(120)))
        #expect(trigger.overlap == .queue && trigger.missed == .runOnce && !trigger.enabled)

        let (minimal, _) = try Self.load("Triggers/every.yaml", "schedule:\n  every: 15m\nprompt: hi\ntargets: all\n")
        let defaults = try #require(minimal.triggers.first)
        #expect(defaults.name == "every" && defaults.schedule == .interval(900))
        #expect(defaults.overlap == .skip && defaults.missed == .skip && defaults.enabled && defaults.model == nil)
    }

    @Test("webhook files for each scheme load with secrets from the environment and verify real signatures")
    func everyScheme() async throws {
        let folder = try TemporaryFolder()
        try folder.write("Webhooks/std.yaml", """
            verify:
              scheme: standard-webhooks
              secret_envs: [HOOK_SECRET_NEW, HOOK_SECRET_OLD]
            replay_window: 600
            prompt: "test={{test}}"
            targets: [ci-runner]
            """)
        try folder.write("Webhooks/signed.yaml", """
            verify:
              scheme: hmac-sha256
              secret_env: SIGNED_SECRET
              header: X-Signature
              prefix: "sha256="
              encoding: base64
            delivery_id_header: X-Request-Id
            rate_limit:
              per_minute: 10
              burst: 2
            sync:
              wait_seconds: 30
            prompt: "{{event}}"
            targets: all
            """)
        try folder.write("Webhooks/token.yaml", "verify:\n  scheme: bearer\n  secret_env: DEPLOY_TOKEN\nprompt: \"{{service}}\"\ntargets: all\n")
        let environment = [
            "HOOK_SECRET_NEW": "whsec_" + Data(repeating: 7, count: 24).base64EncodedString(),
            "HOOK_SECRET_OLD": WebhookIntakeTests.standardSecret, "SIGNED_SECRET": "signing-key", "DEPLOY_TOKEN": "d3pl0y",
        ]
        let result = DefinitionLoader.load(triggersDirectory: nil, webhooksDirectory: folder.sub("Webhooks"), promptsDirectory: nil,
                                           environment: environment)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.webhooks.map(\.name) == ["signed", "std", "token"])
        #expect(result.webhooks.map(\.scheme) == [.hmacSHA256, .standardWebhooks, .bearer])
        #expect(result.webhooks.map(\.deliveryIDHeader) == ["x-request-id", "webhook-id", nil])
        #expect(result.webhooks[0].rateLimit == .init(perMinute: 10, burst: 2))
        #expect(result.webhooks[0].syncWait == .seconds(30))
        #expect(result.webhooks[1].replayWindow == 600)
        #expect(result.webhooks[1].secretEnvironmentNames == ["HOOK_SECRET_NEW", "HOOK_SECRET_OLD"])
        #expect(result.webhooks.allSatisfy { !$0.description.contains("d3pl0y") && !$0.description.contains("signing-key") })

        let store = try DeliveryStore(path: folder.sub("deliveries.sqlite"))
        let intake = WebhookIntake(definitions: result.webhooks, store: store)
        let std = await intake.receive(hook: "std", headers: WebhookIntakeTests.standardHeaders, body: WebhookIntakeTests.standardBody,
                                 now: WebhookIntakeTests.signedAt.addingTimeInterval(599))
        #expect(std.status == 202)
        let body = Array(#"{"event":"deploy"}"#.utf8)
        let mac = Data(Crypto.hmacSHA256(key: Array("signing-key".utf8), message: body)).base64EncodedString()
        let signed = await intake.receive(hook: "signed", headers: ["x-signature": "sha256=" + mac, "x-request-id": "req-1"], body: body, now: Date())
        #expect(signed.status == 202 && signed.fields["sender_delivery_id"] == "req-1")
        #expect(await intake.receive(hook: "signed", headers: ["x-signature": "sha256=" + mac, "x-request-id": "req-1"], body: body,
                               now: Date()).fields["status"] == "duplicate")
        let token = await intake.receive(hook: "token", headers: ["authorization": "Bearer d3pl0y"], body: Array(#"{"service":"api"}"#.utf8), now: Date())
        #expect(token.status == 202)
        #expect(try store.pendingDeliveries().map(\.prompt).sorted() == ["api", "deploy", "test=2432232314"])
    }

    @Test("a prompt_file may not leave Prompts/")
    func promptFileEscape() throws {
        let (result, _) = try Self.load("Triggers/escape.yaml", "schedule:\n  every: 1h\nprompt_file: ../secrets.md\ntargets: all\n")
        #expect(result.errors.first?.key == "prompt_file")
        #expect(result.errors.first?.message.contains("inside Prompts/") == true)
    }
}
