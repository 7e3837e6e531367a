public import CmdopProviders
import CmdopIdentity
import Foundation

/// Outbound event webhooks, signed like CMDOP's: `X-Cmdop-Signature: sha256=<hex HMAC-SHA256(secret,
/// raw body)>`, payload `{id, type, timestamp, data}`, up to 3 retries with exponential back-off.
public struct SignedNotifier: Sendable {
    public let url: String
    let secret: [UInt8]
    let transport: any HTTPTransport
    let retries: Int
    let backoff: Duration

    /// - Parameter secret: the shared secret (read from an environment variable by the caller;
    ///   never logged).
    public init(url: String, secret: String, transport: any HTTPTransport, retries: Int = 3,
                backoff: Duration = .milliseconds(500)) {
        self.url = url
        self.secret = Array(secret.utf8)
        self.transport = transport
        self.retries = retries
        self.backoff = backoff
    }

    /// The signature header value for `body`.
    public static func signature(of body: [UInt8], secret: [UInt8]) -> String {
        "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: secret, message: body))
    }

    /// Sends one event; true once the receiver answered 2xx.
    @discardableResult
    public func send(type: String, data: JSONValue) async -> Bool {
        let formatter = ISO8601DateFormatter()
        let body = JSONValue.object([
            "id": .string(UUID().uuidString.lowercased()), "type": .string(type),
            "timestamp": .string(formatter.string(from: Date())), "data": data,
        ]).serializedBytes()
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: [("content-type", "application/json"), ("x-cmdop-signature", Self.signature(of: body, secret: secret))],
            body: body, timeouts: HTTPRequest.Timeouts(connect: .seconds(5), idle: .seconds(10), total: .seconds(15)))
        var delay = backoff
        for attempt in 0...retries {
            if attempt > 0 {
                try? await Task.sleep(for: delay)
                delay *= 2
            }
            if let response = try? await transport.fetch(request), (200..<300).contains(response.status) { return true }
        }
        return false
    }
}
