/// Retries another provider's calls that fail before any output reached the caller.
///
/// Once a text delta or tool call has been delivered, a failure is passed through: replaying the call would
/// duplicate output the caller already acted on.
public struct RetryingProvider: LLMProvider {
    /// The provider being retried.
    public let base: any LLMProvider
    /// The retry policy.
    public let policy: RetryPolicy

    public var name: String { base.name }

    /// Wraps `base` with `policy` (default: 6 attempts, 500 ms … 32 s).
    public init(_ base: any LLMProvider, policy: RetryPolicy = .default) {
        self.base = base
        self.policy = policy
    }

    public func stream(_ request: ChatRequest) -> LLMEventStream {
        LLMEventStream { [base, policy] in
            let state = RetryState(base: base, policy: policy, request: request)
            return { try await state.next() }
        }
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        try await withRetries { try await base.complete(request) }
    }

    public func listModels() async throws -> [String] {
        try await withRetries { try await base.listModels() }
    }

    private func withRetries<T>(_ operation: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch {
                let mapped = ProviderErrorMapping.map(error, provider: name)
                guard let delay = policy.delay(beforeRetry: attempt, after: mapped) else { throw mapped }
                try await sleep(delay)
                attempt += 1
            }
        }
    }

    private func sleep(_ delay: Duration) async throws {
        do {
            try await policy.sleep(delay)
        } catch {
            throw ProviderError.cancelled(provider: name)
        }
    }

    private final class RetryState {
        let base: any LLMProvider
        let policy: RetryPolicy
        let request: ChatRequest
        var iterator: LLMEventStream.AsyncIterator?
        var attempt = 1
        var delivered = false

        init(base: any LLMProvider, policy: RetryPolicy, request: ChatRequest) {
            self.base = base
            self.policy = policy
            self.request = request
        }

        func next() async throws -> LLMEvent? {
            while true {
                if iterator == nil { iterator = base.stream(request).makeAsyncIterator() }
                do {
                    let event = try await iterator!.next()
                    if let event, case .textDelta = event { delivered = true }
                    if let event, case .toolCall = event { delivered = true }
                    return event
                } catch {
                    let mapped = ProviderErrorMapping.map(error, provider: base.name)
                    guard !delivered, let delay = policy.delay(beforeRetry: attempt, after: mapped) else { throw mapped }
                    do {
                        try await policy.sleep(delay)
                    } catch {
                        throw ProviderError.cancelled(provider: base.name)
                    }
                    attempt += 1
                    iterator = nil
                }
            }
        }
    }
}
