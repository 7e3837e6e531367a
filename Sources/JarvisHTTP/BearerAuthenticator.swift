import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopProtocol
import CmdopStorage
import Foundation
import Hummingbird
import Synchronization

/// Checks `Authorization: Bearer cmdop_…` keys by asking the relay (jarvis holds no key table: the
/// relay answers only for keys of jarvis's own fleet, so another fleet's key is simply invalid).
/// Answers are cached for a few seconds; a revoked key stops working within that time.
final class BearerAuthenticator: Sendable {
    let client: MeshClient
    let cacheLifetime: Duration
    private let cache = Mutex<[String: (principal: APIPrincipal?, until: ContinuousClock.Instant)]>([:])
    /// Unknown keys asked about recently; bounded on its own so a flood of made-up keys cannot push
    /// out the real ones.
    private let unknown = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Relay look-ups for keys not in a cache: at most this many a second (a flood gets 429).
    private let lookups = Mutex((tokens: 50.0, at: ContinuousClock.now))
    static let lookupsPerSecond = 50.0

    init(client: MeshClient, cacheLifetime: Duration = .seconds(5)) {
        self.client = client
        self.cacheLifetime = cacheLifetime
    }

    /// The caller of `request`, holding `scope`.
    /// - Throws: `APIError` 401 without a valid key of this fleet, 403 without the scope.
    func authenticate(_ request: Request, scope: Scope) async throws -> APIPrincipal {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(.unauthorized, "send an API key of this fleet: Authorization: Bearer cmdop_… (create one with `cmdop server api-key create`)")
        }
        let key = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let principal = try await principal(for: key) else {
            throw APIError(.unauthorized, "unknown or revoked API key for this fleet")
        }
        guard principal.permits(scope) else {
            throw APIError(.forbidden, "key \(principal.prefix)… lacks the '\(scope)' scope")
        }
        return principal
    }

    private func principal(for key: String) async throws -> APIPrincipal? {
        let digest = Crypto.sha256Hex(key)
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[digest] }), cached.until > now { return cached.principal }
        if let until = unknown.withLock({ $0[digest] }), until > now { return nil }
        guard takeLookup(now: now) else {
            throw APIError(.tooManyRequests, "too many requests with keys jarvis does not know; slow down")
        }
        var introspect = Cmdop_Agent_V1_IntrospectKeyRequest()
        introspect.apiKey = key
        let done: Cmdop_Agent_V1_Done
        do {
            done = try await client.send(target: "", .introspectKey(introspect)).outcome(deadline: .seconds(10))
        } catch {
            throw APIError(.serviceUnavailable, "cannot check the API key: the relay is unreachable (\(error))")
        }
        guard case .key(let info) = done.result, info.valid else {
            unknown.withLock { unknown in
                if unknown.count >= 1024 { unknown.removeAll() }
                unknown[digest] = now + cacheLifetime
            }
            return nil
        }
        let principal = APIPrincipal(keyID: info.keyID, prefix: info.prefix, scopes: Set(info.scopes))
        cache.withLock { cache in
            if cache.count >= 10_000 { cache = cache.filter { $0.value.until > now } }
            cache[digest] = (principal, now + cacheLifetime)
        }
        return principal
    }

    private func takeLookup(now: ContinuousClock.Instant) -> Bool {
        lookups.withLock { bucket in
            let elapsed = Double((now - bucket.at).components.attoseconds) / 1e18 + Double((now - bucket.at).components.seconds)
            bucket.tokens = min(Self.lookupsPerSecond, bucket.tokens + elapsed * Self.lookupsPerSecond)
            bucket.at = now
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}
