import CmdopIdentity
import Foundation
import JarvisWebhooks
import Testing

@Suite("Webhook verification over the raw body")
struct WebhookVerifierTests {
    // Published test vectors (wire-formats.md).
    static let githubSecret = "It's a Secret to Everybody"
    static let githubBody = Array("Hello, World!".utf8)
    static let githubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    static let standardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let standardHeaders = [
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    ]
    static let standardBody = Array(#"{"test": 2432232314}"#.utf8)
    static let signedAt = Date(timeIntervalSince1970: 1_614_265_330)

    @Test("GitHub's published vector verifies and yields the delivery id; any change is refused")
    func github() throws {
        let verifier = WebhookVerifier(.github(secret: Self.githubSecret))
        let headers = ["x-hub-signature-256": Self.githubSignature, "x-github-delivery": "d-1"]
        #expect(try verifier.verify(headers: headers, body: Self.githubBody) == "d-1")
        #expect(throws: WebhookRejection.self) { try verifier.verify(headers: headers, body: Array("Hello, World?".utf8)) }
        #expect(throws: WebhookRejection("the x-hub-signature-256 header is missing")) {
            try verifier.verify(headers: [:], body: Self.githubBody)
        }
        #expect(throws: WebhookRejection.self) {
            try WebhookVerifier(.github(secret: "wrong")).verify(headers: headers, body: Self.githubBody)
        }
    }

    @Test("Standard Webhooks' published vector verifies, also as one of several during a secret rotation, past one that does not decode")
    func standard() throws {
        let verifier = WebhookVerifier(.standardWebhooks(secrets: ["whsec_not base64!", "whsec_" + Data(Crypto.randomBytes(24)).base64EncodedString(), Self.standardSecret]))
        #expect(try verifier.verify(headers: Self.standardHeaders, body: Self.standardBody, now: Self.signedAt)
                == "msg_p5jXN8AQM9LWM0D4loKWxJek")
        var rotated = Self.standardHeaders
        rotated["webhook-signature"] = "v1,AAAA " + Self.standardHeaders["webhook-signature"]!
        #expect(try verifier.verify(headers: rotated, body: Self.standardBody, now: Self.signedAt) != nil)
    }

    @Test("Standard Webhooks refuses stale timestamps, altered bodies and missing headers")
    func standardRefusals() {
        let verifier = WebhookVerifier(.standardWebhooks(secrets: [Self.standardSecret]))
        #expect(throws: WebhookRejection.self) {
            try verifier.verify(headers: Self.standardHeaders, body: Self.standardBody, now: Self.signedAt.addingTimeInterval(301))
        }
        #expect(throws: WebhookRejection.self) {
            try verifier.verify(headers: Self.standardHeaders, body: Array(#"{"test": 2432232315}"#.utf8), now: Self.signedAt)
        }
        var missing = Self.standardHeaders
        missing["webhook-id"] = nil
        #expect(throws: WebhookRejection("the webhook-id header is missing")) {
            try verifier.verify(headers: missing, body: Self.standardBody, now: Self.signedAt)
        }
    }

    @Test("Standard Webhooks v1a: an Ed25519 signature by the configured key verifies; another key's does not")
    func ed25519() throws {
        let (identity, _) = Ed25519Identity.generate()
        let headers = ["webhook-id": "msg_1", "webhook-timestamp": "1614265330"]
        let body = Array(#"{"ok":true}"#.utf8)
        let signature = identity.sign(Array("msg_1.1614265330.".utf8) + body)
        var signed = headers
        signed["webhook-signature"] = "v1a," + Data(signature).base64EncodedString()
        let key = "whpk_" + Data(identity.publicKey).base64EncodedString()
        #expect(try WebhookVerifier(.standardWebhooks(secrets: [], publicKeys: [key]))
            .verify(headers: signed, body: body, now: Self.signedAt) == "msg_1")
        let other = "whpk_" + Data(Ed25519Identity.generate().identity.publicKey).base64EncodedString()
        #expect(throws: WebhookRejection.self) {
            try WebhookVerifier(.standardWebhooks(secrets: [], publicKeys: [other])).verify(headers: signed, body: body, now: Self.signedAt)
        }
    }

    @Test("configurable HMAC (header, prefix, hex or base64) and bearer tokens")
    func hmacAndBearer() throws {
        let body = Array("payload".utf8)
        let mac = Crypto.hmacSHA256(key: Array("k".utf8), message: body)
        let hex = WebhookVerifier(.hmacSHA256(secret: "k", header: "X-Signature", prefix: "sha256="))
        #expect(try hex.verify(headers: ["x-signature": "sha256=" + Crypto.hex(mac)], body: body) == nil)
        let b64 = WebhookVerifier(.hmacSHA256(secret: "k", header: "X-Sig", base64: true))
        #expect(try b64.verify(headers: ["x-sig": Data(mac).base64EncodedString()], body: body) == nil)
        #expect(throws: WebhookRejection.self) { try hex.verify(headers: ["x-signature": Crypto.hex(mac)], body: body) }
        let bearer = WebhookVerifier(.bearer(token: "t0ken"))
        #expect(try bearer.verify(headers: ["authorization": "Bearer t0ken"], body: body) == nil)
        #expect(throws: WebhookRejection.self) { try bearer.verify(headers: ["authorization": "Bearer t0keN"], body: body) }
    }
}
