/// How a webhook proves its sender (`verify.scheme`).
public enum WebhookScheme: String, Sendable, Hashable, CaseIterable {
    /// GitHub: `X-Hub-Signature-256`.
    case github
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` (v1 HMAC, v1a Ed25519).
    case standardWebhooks = "standard-webhooks"
    /// HMAC-SHA256 of the raw body in a header of your choice, hex or base64.
    case hmacSHA256 = "hmac-sha256"
    /// `Authorization: Bearer <token>`.
    case bearer

    /// The header carrying the sender's delivery id, when the scheme defines one.
    public var defaultDeliveryIDHeader: String? {
        switch self {
        case .github: "x-github-delivery"
        case .standardWebhooks: "webhook-id"
        case .hmacSHA256, .bearer: nil
        }
    }
}
