/// Tries providers in order: when one fails before any output reached the caller, the next one gets the request.
///
/// Each provider answers with its own default model when the request names none; a request that names a model
/// keeps it for every provider, so chains usually leave `model` unset. Cancellation is never turned into a
/// fallback.
public struct FallbackProvider: LLMProvider {
    /// The chain, first choice first.
    public let providers: [any LLMProvider]

    public var name: String { providers.map(\.name).joined(separator: "→") }

    /// Creates a chain.
    /// - Parameter providers: at least one provider, first choice first.
    public init(_ providers: [any LLMProvider]) {
        precondition(!providers.isEmpty, "a fallback chain needs at least one provider")
        self.providers = providers
    }

    public func stream(_ request: ChatRequest) -> LLMEventStream {
        LLMEventStream { [providers, name] in
            let state = FallbackState(providers: providers, request: request, chainName: name)
            return { try await state.next() }
        }
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        var failures: [ProviderError] = []
        for provider in providers {
            do {
                return try await provider.complete(request)
            } catch {
                let mapped = ProviderErrorMapping.map(error, provider: provider.name)
                if case .cancelled = mapped.code.kind { throw mapped }
                failures.append(mapped)
            }
        }
        throw Self.exhausted(failures, chain: name)
    }

    public func listModels() async throws -> [String] {
        try await providers[0].listModels()
    }

    static func exhausted(_ failures: [ProviderError], chain: String) -> ProviderError {
        guard failures.count > 1, let last = failures.last else { return failures[0] }
        let summary = failures.map { "\($0.provider ?? "?"): \($0.code)" }.joined(separator: "; ")
        return ProviderError(
            code: last.code,
            message: "Every provider of the fallback chain \(chain) failed (\(summary)). The last one said: "
                + last.message,
            provider: last.provider, cause: last.cause)
    }

    private final class FallbackState {
        let providers: [any LLMProvider]
        let request: ChatRequest
        let chainName: String
        var index = 0
        var iterator: LLMEventStream.AsyncIterator?
        var delivered = false
        var failures: [ProviderError] = []

        init(providers: [any LLMProvider], request: ChatRequest, chainName: String) {
            self.providers = providers
            self.request = request
            self.chainName = chainName
        }

        func next() async throws -> LLMEvent? {
            while true {
                if iterator == nil { iterator = providers[index].stream(request).makeAsyncIterator() }
                do {
                    let event = try await iterator!.next()
                    if let event, case .textDelta = event { delivered = true }
                    if let event, case .toolCall = event { delivered = true }
                    return event
                } catch {
                    let mapped = ProviderErrorMapping.map(error, provider: providers[index].name)
                    if case .cancelled = mapped.code.kind { throw mapped }
                    if delivered { throw mapped }
                    failures.append(mapped)
                    index += 1
                    iterator = nil
                    guard index < providers.count else { throw FallbackProvider.exhausted(failures, chain: chainName) }
                }
            }
        }
    }
}
