import CmdopIdentity
import Foundation

/// How a webhook route proves a delivery came from its sender. Verification runs over the raw
/// body bytes, before anything parses them, and compares in constant time.
public enum WebhookVerification: Sendable, Equatable {
    /// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`.
    case github(secret: String)
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` with `v1,<base64 HMAC>`
    /// entries (secrets `whsec_…`, several during a rotation) and `v1a,<base64 Ed25519>` (keys `whpk_…`).
    case standardWebhooks(secrets: [String], publicKeys: [String] = [])
    /// Any HMAC-SHA256 scheme: the signature in `header`, after `prefix`, as hex or base64.
    case hmacSHA256(secret: String, header: String, prefix: String = "", base64: Bool = false)
    /// `Authorization: Bearer <token>`.
    case bearer(token: String)
}

/// Why a delivery was refused (the HTTP layer answers 401, naming the reason, never the secret).
public struct WebhookRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Checks deliveries for one route.
public struct WebhookVerifier: Sendable {
    public let verification: WebhookVerification
    /// How far a signed timestamp may be from now (Standard Webhooks), in seconds.
    public let tolerance: TimeInterval

    /// The HMAC secrets, prepared once (Standard Webhooks: each rotated secret that decodes).
    private let macKeys: [HMACKey]

    public init(_ verification: WebhookVerification, tolerance: TimeInterval = 300) {
        self.verification = verification
        self.tolerance = tolerance
        switch verification {
        case .github(let secret), .hmacSHA256(let secret, _, _, _):
            macKeys = [HMACKey(secret.utf8)]
        case .standardWebhooks(let secrets, _):
            macKeys = secrets.compactMap { secret in
                Data(base64Encoded: String(secret.dropFirst(secret.hasPrefix("whsec_") ? 6 : 0))).map { HMACKey($0) }
            }
        case .bearer:
            macKeys = []
        }
    }

    /// Verifies a delivery. `headers` are keyed by lower-cased name.
    /// - Returns: the sender's delivery id when the scheme carries one (for de-duplication).
    /// - Throws: `WebhookRejection` saying what was missing or wrong.
    public func verify(headers: [String: String], body: [UInt8], now: Date = Date()) throws -> String? {
        switch verification {
        case .github:
            let signature = try header("x-hub-signature-256", in: headers)
            try expect(signature, equals: "sha256=" + Crypto.hex(macKeys[0].authenticationCode(for: body)))
            return headers["x-github-delivery"]
        case .hmacSHA256(_, let name, let prefix, let base64):
            let signature = try header(name.lowercased(), in: headers)
            let mac = macKeys[0].authenticationCode(for: body)
            try expect(signature, equals: prefix + (base64 ? Data(mac).base64EncodedString() : Crypto.hex(mac)))
            return nil
        case .bearer(let token):
            try expect(try header("authorization", in: headers), equals: "Bearer " + token)
            return nil
        case .standardWebhooks(_, let publicKeys):
            return try verifyStandard(headers: headers, body: body, now: now, publicKeys: publicKeys)
        }
    }

    private func verifyStandard(headers: [String: String], body: [UInt8], now: Date, publicKeys: [String]) throws -> String {
        let id = try header("webhook-id", in: headers)
        let timestampText = try header("webhook-timestamp", in: headers)
        let signatures = try header("webhook-signature", in: headers)
        guard let timestamp = TimeInterval(timestampText) else {
            throw WebhookRejection("webhook-timestamp '\(timestampText)' is not Unix seconds")
        }
        guard abs(now.timeIntervalSince1970 - timestamp) <= tolerance else {
            throw WebhookRejection("webhook-timestamp is more than \(Int(tolerance)) s from now (a stale or replayed delivery)")
        }
        let signed = Array("\(id).\(timestampText).".utf8) + body
        for entry in signatures.split(separator: " ") {
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, let signature = Data(base64Encoded: String(parts[1])) else { continue }
            switch parts[0] {
            case "v1":
                for key in macKeys where Crypto.constantTimeEqual(key.authenticationCode(for: signed), signature) {
                    return id
                }
            case "v1a":
                for publicKey in publicKeys {
                    guard let key = Data(base64Encoded: String(publicKey.dropFirst(publicKey.hasPrefix("whpk_") ? 5 : 0))) else { continue }
                    if Ed25519Identity.verify(signature: signature, message: signed, publicKey: key) { return id }
                }
            default:
                continue
            }
        }
        throw WebhookRejection("no webhook-signature entry matches any configured secret or key")
    }

    private func header(_ name: String, in headers: [String: String]) throws -> String {
        guard let value = headers[name], !value.isEmpty else { throw WebhookRejection("the \(name) header is missing") }
        return value
    }

    private func expect(_ given: String, equals expected: String) throws {
        guard Crypto.constantTimeEqual(Array(given.utf8), Array(expected.utf8)) else {
            throw WebhookRejection("the signature does not match the body")
        }
    }
}
