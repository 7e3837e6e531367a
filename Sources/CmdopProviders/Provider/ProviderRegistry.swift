public import Foundation
public import Logging
import Synchronization

/// Builds ready-to-use providers from a ``ProvidersConfig``: one circuit breaker per endpoint, retries around
/// each provider, and the configured fallback chain.
///
/// ```swift
/// let registry = ProviderRegistry(config: config, transport: curl)
/// let provider = try registry.provider(for: "@fast")       // retried, circuit-guarded
/// let chain = registry.fallbackChain()                      // nil when no `fallback:` is configured
/// ```
public final class ProviderRegistry: Sendable {
    /// The configuration.
    public let config: ProvidersConfig
    private let transport: any HTTPTransport
    private let environment: [String: String]
    private let retryPolicy: RetryPolicy
    private let timeouts: HTTPRequest.Timeouts
    private let logger: Logger?
    private let breakers = Mutex<[String: CircuitBreaker]>([:])
    private let makeBreaker: @Sendable (String) -> CircuitBreaker

    /// Creates a registry.
    /// - Parameters:
    ///   - config: validated configuration.
    ///   - transport: the HTTP transport.
    ///   - environment: where API keys are read (default: the process environment).
    ///   - retryPolicy: retry policy per provider (default: 6 attempts, 500 ms … 32 s).
    ///   - timeouts: HTTP timeouts.
    ///   - logger: debug logging; `nil` logs nothing.
    ///   - makeBreaker: creates the breaker of an endpoint (default: 5 failures, 30 s open).
    public init(
        config: ProvidersConfig, transport: any HTTPTransport,
        environment: [String: String] = ProcessInfo.processInfo.environment, retryPolicy: RetryPolicy = .default,
        timeouts: HTTPRequest.Timeouts = HTTPRequest.Timeouts(), logger: Logger? = nil,
        makeBreaker: @escaping @Sendable (String) -> CircuitBreaker = { CircuitBreaker(endpoint: $0) }
    ) {
        self.config = config
        self.transport = transport
        self.environment = environment
        self.retryPolicy = retryPolicy
        self.timeouts = timeouts
        self.logger = logger
        self.makeBreaker = makeBreaker
    }

    /// The breaker guarding `baseURL` (created on first use, shared by every provider on that endpoint).
    public func breaker(for baseURL: String) -> CircuitBreaker {
        breakers.withLock { breakers in
            if let existing = breakers[baseURL] { return existing }
            let created = makeBreaker(baseURL)
            breakers[baseURL] = created
            return created
        }
    }

    /// The unretried provider for a record.
    public func wireProvider(_ provider: ProviderConfig) -> WireProvider {
        WireProvider(
            config: provider, transport: transport, environment: environment, breaker: breaker(for: provider.baseURL),
            timeouts: timeouts, logger: logger)
    }

    /// A retried provider for `@alias`, `provider` or `provider:model`, with that model as its default.
    /// - Throws: ``ProviderError`` `.badRequest` for an unknown reference.
    public func provider(for reference: String) throws -> any LLMProvider {
        let resolved = try config.resolve(reference)
        var record = resolved.provider
        record.defaultModel = resolved.model
        return RetryingProvider(wireProvider(record), policy: retryPolicy)
    }

    /// The configured fallback chain of retried providers, or `nil` when none is configured.
    public func fallbackChain() -> FallbackProvider? {
        let members = config.fallback.compactMap { config.provider(named: $0) }
        guard !members.isEmpty else { return nil }
        return FallbackProvider(members.map { RetryingProvider(wireProvider($0), policy: retryPolicy) })
    }
}
