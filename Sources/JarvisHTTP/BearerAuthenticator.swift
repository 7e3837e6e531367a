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
        var introspect = Cmdop_Agent_V1_IntrospectKeyRequest()
        introspect.apiKey = key
        let done: Cmdop_Agent_V1_Done
        do {
            done = try await client.send(target: "", .introspectKey(introspect)).outcome(deadline: .seconds(10))
        } catch {
            throw APIError(.serviceUnavailable, "cannot check the API key: the relay is unreachable (\(error))")
        }
        guard case .key(let info) = done.result else { return nil }
        let principal = info.valid ? APIPrincipal(keyID: info.keyID, prefix: info.prefix, scopes: Set(info.scopes)) : nil
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[digest] = (principal, now + cacheLifetime)
        }
        return principal
    }
}
