import CmdopCore
import CmdopIdentity
public import CmdopProviders
import Synchronization

/// The model calls jarvis has agreed to serve: each ask issues a grant bound to the machine it asks,
/// good for a number of calls until the ask's deadline. A machine cannot spend jarvis's models
/// without an ask in flight, nor with another machine's grant.
public final class ModelGrants: Sendable {
    struct Grant {
        var hostname: String
        var expires: ContinuousClock.Instant
        var callsLeft: Int
        /// jarvis's gate over the remote loop's tool calls: nil allows, else why not.
        var screen: (@Sendable (ToolCall) -> String?)?
        /// The most output tokens one call may ask for.
        var maxTokens: Int
    }

    /// Output tokens one model call of an ask may generate.
    public static let defaultMaxTokens = 4096

    private let grants = Mutex<[String: Grant]>([:])
    private let spend = Mutex<[String: UsageLedger]>([:])

    public init() {}

    /// Issues a grant for `hostname` (canonical) good for `maxCalls` model calls within `lifetime`.
    /// - Parameters:
    ///   - screen: jarvis's gate over the tool calls the model makes for that machine's loop; a
    ///     refused call is replaced by a note the loop's model reads.
    ///   - maxTokens: the most output tokens one call may generate.
    public func issue(hostname: String, maxCalls: Int, lifetime: Duration,
                      screen: (@Sendable (ToolCall) -> String?)? = nil, maxTokens: Int = defaultMaxTokens) -> String {
        let token = Crypto.token(prefix: "mg_")
        let grant = Grant(hostname: hostname, expires: .now + lifetime, callsLeft: maxCalls, screen: screen,
                          maxTokens: maxTokens)
        grants.withLock { grants in
            let now = ContinuousClock.now
            grants = grants.filter { $0.value.expires > now }
            grants[token] = grant
        }
        return token
    }

    /// Ends a grant (its ask finished).
    public func revoke(_ token: String) {
        _ = grants.withLock { $0.removeValue(forKey: token) }
    }

    /// Takes one call from grant `token` for `hostname`.
    /// - Throws: `MeshError(.permissionDenied)` for an unknown, expired, spent or foreign grant.
    @discardableResult
    func admit(_ token: String, hostname: String) throws -> Grant {
        try grants.withLock { grants in
            guard var grant = grants[token], grant.expires > .now else {
                throw MeshError(.permissionDenied, "no ask of jarvis is in flight for this model grant")
            }
            guard grant.hostname == hostname else {
                throw MeshError(.permissionDenied, "this model grant was issued to another machine")
            }
            guard grant.callsLeft > 0 else {
                throw MeshError(.permissionDenied, "this ask has used all the model calls it was granted")
            }
            grant.callsLeft -= 1
            grants[token] = grant
            return grant
        }
    }

    /// Records the usage of one call served for `hostname`.
    func record(_ usage: CallUsage, for hostname: String) {
        let ledger = spend.withLock { spend in
            if let ledger = spend[hostname] { return ledger }
            let ledger = UsageLedger()
            spend[hostname] = ledger
            return ledger
        }
        ledger.record(usage)
    }

    /// Model spend per machine, over the asks jarvis has served since it started.
    public var spendByMachine: [String: UsageLedger.Totals] {
        spend.withLock { $0.mapValues(\.total) }
    }
}
