import CmdopIdentity
import Foundation
import GRDB
import JarvisTriggers
import JarvisWebhooks
import Testing

@Suite("Webhook intake: verify, de-duplicate, filter, rate-limit, store before 202")
struct WebhookIntakeTests {
    // Published vectors (wire-formats.md).
    static let githubSecret = "It's a Secret to Everybody"
    static let githubBody = Array("Hello, World!".utf8)
    static let githubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    static let standardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let standardHeaders = [
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "content-type": "application/json",
    ]
    static let standardBody = Array(#"{"test": 2432232314}"#.utf8)
    static let signedAt = Date(timeIntervalSince1970: 1_614_265_330)

    /// An intake over a fresh SQLite file, with the file's path for independent checks.
    struct Fixture {
        let folder: TemporaryFolder
        let path: String
        let store: DeliveryStore
        let intake: WebhookIntake

        init(_ definitions: [WebhookDefinition], dedupeRetention: TimeInterval = 3 * 86400) throws {
            folder = try TemporaryFolder()
            path = folder.sub("data/deliveries.sqlite")
            store = try DeliveryStore(path: path)
            intake = WebhookIntake(definitions: definitions, store: store, dedupeRetention: dedupeRetention)
        }

        /// Rows in `table`, read through a separate connection that knows nothing of DeliveryStore.
        func count(_ table: String) throws -> Int {
            let queue = try DatabaseQueue(path: path)
            return try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
        }
    }

    static func github(_ prompt: String = "GitHub says: {{body}}", filters: [WebhookFilter] = [], maxBody: Int = 1 << 20,
                       rateLimit: WebhookDefinition.RateLimit? = nil, replayWindow: TimeInterval = 300,
                       name: String = "gh") throws -> WebhookDefinition {
        WebhookDefinition(name: name, verification: .github(secret: githubSecret), prompt: try PromptTemplate(prompt),
                          secretEnvironmentNames: ["GITHUB_WEBHOOK_SECRET"], replayWindow: replayWindow, deliveryIDHeader: "x-github-delivery",
                          maxBody: maxBody, filters: filters, rateLimit: rateLimit)
    }

    static func githubHeaders(_ body: [UInt8], delivery: String = "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                              contentType: String = "application/json") -> [String: String] {
        ["x-hub-signature-256": "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: Array(githubSecret.utf8), message: body)),
         "x-github-delivery": delivery, "x-github-event": "workflow_run", "content-type": contentType]
    }

    @Test("GitHub's published vector is accepted and committed before receive returns")
    func githubVector() async throws {
        let fixture = try Fixture([try Self.github()])
        let headers = ["x-hub-signature-256": Self.githubSignature, "x-github-delivery": "d-1", "content-type": "text/plain"]
        let response = await fixture.intake.receive(hook: "gh", headers: headers, body: Self.githubBody, now: Date())
        #expect(response.status == 202)
        #expect(response.fields["status"] == "accepted")
        #expect(response.fields["sender_delivery_id"] == "d-1")
        let runID = try #require(response.fields["run_id"])
        let deliveryID = try #require(response.fields["delivery_id"])
        #expect(try fixture.count("deliveries") == 1)
        let row = try DatabaseQueue(path: fixture.path).read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM deliveries WHERE id = ?", arguments: [deliveryID])
        }
        let stored = try #require(row)
        #expect(stored["run_id"] as String == runID)
        #expect(stored["state"] as String == "accepted")
        #expect(stored["sender_delivery_id"] as String == "d-1")
        #expect(stored["prompt"] as String == "GitHub says: Hello, World!")
        #expect(Array(stored["body"] as Data) == Self.githubBody)
        let reopened = try DeliveryStore(path: fixture.path)
        #expect(try reopened.pendingDeliveries().map(\.runID) == [runID])
        let body = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
        #expect(body == response.fields)
    }

    @Test("Standard Webhooks' published vector is accepted; its webhook-id is the delivery id")
    func standardVector() async throws {
        let hook = WebhookDefinition(name: "std", verification: .standardWebhooks(secrets: [Self.standardSecret]),
                                     prompt: try PromptTemplate("test={{test}}"))
        let fixture = try Fixture([hook])
        let response = await fixture.intake.receive(hook: "std", headers: Self.standardHeaders, body: Self.standardBody, now: Self.signedAt)
        #expect(response.status == 202)
        let delivery = try #require(try fixture.store.delivery(id: response.fields["delivery_id"] ?? ""))
        #expect(delivery.senderDeliveryID == "msg_p5jXN8AQM9LWM0D4loKWxJek")
        #expect(delivery.prompt == "test=2432232314")
    }

    @Test("refusals answer the right status and store nothing", arguments: [
        ("wrong signature", ["x-hub-signature-256": "sha256=" + String(repeating: "0", count: 64), "content-type": "application/json"],
         Array(#"{"a":1}"#.utf8), 401, "the signature does not match the body"),
        ("missing header", ["content-type": "application/json"], Array(#"{"a":1}"#.utf8), 401,
         "the x-hub-signature-256 header is missing"),
        ("malformed JSON", githubHeaders(Array(#"{"a": "#.utf8)), Array(#"{"a": "#.utf8), 400, "the body is not valid JSON"),
        ("JSON that is not an object", githubHeaders(Array("[1,2]".utf8)), Array("[1,2]".utf8), 400, "the body must be a JSON object"),
        ("oversize, checked before the signature", [:], Array(repeating: UInt8(ascii: "x"), count: 65), 413,
         "the body is 65 bytes; this webhook accepts at most 64"),
    ] as [(String, [String: String], [UInt8], Int, String)])
    func refusals(label: String, headers: [String: String], body: [UInt8], status: Int, error: String) async throws {
        let fixture = try Fixture([try Self.github(maxBody: 64)])
        let response = await fixture.intake.receive(hook: "gh", headers: headers, body: body, now: Date())
        #expect(response.status == status, "\(label)")
        #expect(response.fields == ["error": error])
        #expect(!String(decoding: response.body, as: UTF8.self).contains(Self.githubSecret))
        #expect(try fixture.count("deliveries") == 0)
    }

    @Test("unknown hooks are 404; a stale Standard Webhooks timestamp is 401 and stores nothing")
    func unknownAndStale() async throws {
        let hook = WebhookDefinition(name: "std", verification: .standardWebhooks(secrets: [Self.standardSecret]),
                                     prompt: try PromptTemplate("x"), replayWindow: 300)
        let fixture = try Fixture([hook])
        #expect(await fixture.intake.receive(hook: "nope", headers: [:], body: [], now: Date()).status == 404)
        let stale = await fixture.intake.receive(hook: "std", headers: Self.standardHeaders, body: Self.standardBody,
                                           now: Self.signedAt.addingTimeInterval(301))
        #expect(stale.status == 401)
        #expect(stale.fields["error"]?.contains("webhook-timestamp is more than 300 s from now") == true)
        #expect(try fixture.count("deliveries") == 0)
    }

    @Test("a replayed delivery id answers 200 duplicate with the first run id and stores nothing new")
    func replayedDelivery() async throws {
        let fixture = try Fixture([try Self.github("{{action}}")], dedupeRetention: 0)
        let body = Array(#"{"action":"completed"}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let first = await fixture.intake.receive(hook: "gh", headers: Self.githubHeaders(body), body: body, now: now)
        #expect(first.status == 202)
        let again = await fixture.intake.receive(hook: "gh", headers: Self.githubHeaders(body), body: body, now: now.addingTimeInterval(299))
        #expect(again.status == 200)
        #expect(again.fields == ["status": "duplicate", "run_id": first.fields["run_id"] ?? "", "delivery_id": first.fields["delivery_id"] ?? ""])
        #expect(try fixture.count("deliveries") == 1)
        // Past the retention (here the 300 s replay window) the id is forgotten and accepted as new.
        let later = await fixture.intake.receive(hook: "gh", headers: Self.githubHeaders(body), body: body, now: now.addingTimeInterval(301))
        #expect(later.status == 202)
        #expect(later.fields["run_id"] != first.fields["run_id"])
        #expect(try fixture.count("deliveries") == 2)
    }

    @Test("a failing filter answers 202 ignored with the reason and stores nothing")
    func filtered() async throws {
        let filters = [WebhookFilter(.header("x-github-event"), .equals("workflow_run")),
                       WebhookFilter(.field("workflow_run.conclusion"), .oneOf(["failure", "timed_out"]))]
        let fixture = try Fixture([try Self.github("x", filters: filters)])
        let body = Array(#"{"workflow_run":{"conclusion":"success"}}"#.utf8)
        let response = await fixture.intake.receive(hook: "gh", headers: Self.githubHeaders(body), body: body, now: Date())
        #expect(response.status == 202)
        #expect(response.fields == ["status": "ignored", "reason": "field workflow_run.conclusion is 'success', not one of failure, timed_out"])
        var push = Self.githubHeaders(body)
        push["x-github-event"] = "push"
        #expect(await fixture.intake.receive(hook: "gh", headers: push, body: body, now: Date()).fields["reason"]
                == "header x-github-event is 'push', not 'workflow_run'")
        #expect(try fixture.count("deliveries") == 0)
    }

    @Test("the rate limit answers 429 with retry-after, stores nothing, and refills")
    func rateLimit() async throws {
        let fixture = try Fixture([try Self.github("x", rateLimit: .init(perMinute: 2))])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func send(_ id: String, at time: Date) async -> IntakeResponse {
            let body = Array(#"{"n":"\#(id)"}"#.utf8)
            return await fixture.intake.receive(hook: "gh", headers: Self.githubHeaders(body, delivery: id), body: body, now: time)
        }
        #expect(await send("a", at: now).status == 202)
        #expect(await send("b", at: now).status == 202)
        let limited = await send("c", at: now)
        #expect(limited.status == 429)
        #expect(limited.headers == ["retry-after": "30"])
        #expect(try fixture.count("deliveries") == 2)
        #expect(await send("c", at: now.addingTimeInterval(30)).status == 202)
    }

    @Test("credentials never reach storage or templates; a wrong bearer token is not echoed")
    func bearerCredentials() async throws {
        let hook = WebhookDefinition(name: "deploy", verification: .bearer(token: "t0p-s3cret"),
                                     prompt: try PromptTemplate("deploy {{service}} auth=[{{headers.authorization}}]"))
        let fixture = try Fixture([hook])
        let body = Array(#"{"service":"api"}"#.utf8)
        let wrong = await fixture.intake.receive(hook: "deploy", headers: ["authorization": "Bearer guess"], body: body, now: Date())
        #expect(wrong.status == 401)
        #expect(!String(decoding: wrong.body, as: UTF8.self).contains("t0p-s3cret"))
        let right = await fixture.intake.receive(hook: "deploy", headers: ["Authorization": "Bearer t0p-s3cret", "X-Request-Id": "r1"],
                                           body: body, now: Date())
        #expect(right.status == 202)
        let delivery = try #require(try fixture.store.delivery(id: right.fields["delivery_id"] ?? ""))
        #expect(delivery.headers == ["x-request-id": "r1"])
        #expect(delivery.prompt == "deploy api auth=[]")
        #expect(delivery.senderDeliveryID == nil)
    }

    @Test("GitHub's form-encoded deliveries carry the JSON in payload=")
    func formEncoded() async throws {
        let fixture = try Fixture([try Self.github("{{action}} on {{repository.full_name}}")])
        let json = #"{"action":"completed","repository":{"full_name":"acme/cmdop"}}"#
        let body = Array(("payload=" + (json.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")).utf8)
        let response = await fixture.intake.receive(hook: "gh", headers: Self.githubHeaders(body, contentType: "application/x-www-form-urlencoded"),
                                              body: body, now: Date())
        #expect(response.status == 202)
        #expect(try fixture.store.delivery(id: response.fields["delivery_id"] ?? "")?.prompt == "completed on acme/cmdop")
    }
}

@Suite("Intake responses")
struct IntakeResponseTests {
    @Test("the JSON body escapes quotes, backslashes and control characters and reads back the same")
    func bodyRoundTrips() throws {
        let fields = ["plain": "ok", "quote": #"say "hi""#, "slash": #"a\b"#, "lines": "one\ntwo\tthree\u{1}", "unicode": "naïve ✓"]
        let response = IntakeResponse(status: 202, fields: fields)
        let parsed = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
        #expect(parsed == fields)
        #expect(String(decoding: response.body, as: UTF8.self).hasPrefix(#"{"lines":"one\ntwo\tthree\u0001""#))
    }
}
