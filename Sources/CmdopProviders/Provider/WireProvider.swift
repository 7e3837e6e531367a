public import Foundation
public import Logging

/// One configured endpoint: a ``ProviderConfig`` speaking its wire format over an ``HTTPTransport``.
///
/// ```swift
/// let provider = WireProvider(config: config, transport: curl)
/// for try await event in provider.stream(ChatRequest(messages: [.user("Hi")])) { print(event) }
/// ```
public struct WireProvider: LLMProvider {
    /// The configuration.
    public let config: ProviderConfig
    private let transport: any HTTPTransport
    private let environment: [String: String]
    private let breaker: CircuitBreaker?
    private let timeouts: HTTPRequest.Timeouts
    private let logger: Logger?

    public var name: String { config.name }

    /// Creates a provider.
    /// - Parameters:
    ///   - config: the endpoint record.
    ///   - transport: the HTTP transport (`CurlHTTPTransport` in production).
    ///   - environment: where `config.apiKeyEnv` is looked up (default: the process environment).
    ///   - breaker: the circuit breaker of this endpoint, shared by every provider using it; `nil` for none.
    ///   - timeouts: connect, idle-gap and total timeouts.
    ///   - logger: receives debug lines (never a key or a body); `nil` logs nothing.
    public init(
        config: ProviderConfig, transport: any HTTPTransport,
        environment: [String: String] = ProcessInfo.processInfo.environment, breaker: CircuitBreaker? = nil,
        timeouts: HTTPRequest.Timeouts = HTTPRequest.Timeouts(), logger: Logger? = nil
    ) {
        self.config = config
        self.transport = transport
        self.environment = environment
        self.breaker = breaker
        self.timeouts = timeouts
        self.logger = logger
    }

    /// The wire context for a call to `model` (tool names mapped for `request`).
    func context(model: String?, request: ChatRequest?) throws -> WireContext {
        WireContext(
            provider: config.name, baseURL: config.baseURL, apiKey: try config.apiKey(from: environment),
            apiKeyEnv: config.apiKeyEnv, model: model ?? config.defaultModel, numCtx: config.numCtx,
            names: request.map(ToolNameMapper.init(request:)) ?? ToolNameMapper(names: []), timeouts: timeouts)
    }

    public func stream(_ request: ChatRequest) -> LLMEventStream {
        LLMEventStream { [self] in
            let call = StreamingCall(provider: self, request: request)
            return { try await call.next() }
        }
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let started = ContinuousClock.now
        do {
            try breaker?.acquire(provider: name)
            let context = try context(model: request.model, request: request)
            let httpRequest = try config.wire.format.chatRequest(request, context: context, stream: false)
            logger?.debug("llm request", metadata: ["provider.name": "\(name)", "http.request": "\(httpRequest)"])
            let (status, headers, body) = try await transport.fetch(httpRequest)
            guard (200..<300).contains(status) else {
                throw WireErrors.classify(status: status, headers: headers, body: body, context: context)
            }
            var events = try config.wire.format.decodeResponse(body, context: context)
            var tokens = TokenUsage()
            events.removeAll { event in
                if case .usage(let usage) = event {
                    tokens.merge(usage)
                    return true
                }
                return false
            }
            breaker?.recordSuccess()
            let usage = callUsage(model: context.model, tokens: tokens, wallTime: started.duration(to: .now), ttft: nil)
            var text = ""
            var calls: [ToolCall] = []
            var stop = StopReason.endTurn
            for event in events {
                switch event {
                case .text(let piece): text += piece
                case .toolCall(let call): calls.append(call)
                case .stop(let reason): stop = reason
                case .usage: break
                }
            }
            return ChatResponse(text: text, toolCalls: calls, stopReason: stop, usage: usage)
        } catch {
            let mapped = ProviderErrorMapping.map(error, provider: name)
            breaker?.record(mapped)
            throw mapped
        }
    }

    public func listModels() async throws -> [String] {
        do {
            let context = try context(model: nil, request: nil)
            let format = config.wire.format
            let (status, headers, body) = try await transport.fetch(format.modelsRequest(context: context))
            guard (200..<300).contains(status) else {
                throw WireErrors.classify(status: status, headers: headers, body: body, context: context)
            }
            return try format.decodeModels(body, context: context)
        } catch {
            throw ProviderErrorMapping.map(error, provider: name)
        }
    }

    func callUsage(model: String, tokens: TokenUsage, wallTime: Duration, ttft: Duration?) -> CallUsage {
        CallUsage(
            provider: name, model: model, tokens: tokens,
            cost: CallUsage.cost(
                of: tokens, inputPerMillion: config.pricePerMillionInput,
                outputPerMillion: config.pricePerMillionOutput),
            wallTime: wallTime, timeToFirstToken: ttft)
    }

    func recordOutcome(_ error: ProviderError?) {
        if let error { breaker?.record(error) } else { breaker?.recordSuccess() }
    }

    func open(_ request: ChatRequest) async throws -> (HTTPResponse, WireContext) {
        try breaker?.acquire(provider: name)
        let context = try context(model: request.model, request: request)
        let httpRequest = try config.wire.format.chatRequest(request, context: context, stream: true)
        logger?.debug("llm stream", metadata: ["provider.name": "\(name)", "http.request": "\(httpRequest)"])
        let response = try await transport.send(httpRequest)
        guard (200..<300).contains(response.status) else {
            let body = (try? await response.body.collect(upTo: 1 << 20)) ?? []
            throw WireErrors.classify(status: response.status, headers: response.headers, body: body, context: context)
        }
        return (response, context)
    }
}

/// Maps any error thrown inside a call to a ``ProviderError``.
enum ProviderErrorMapping {
    static func map(_ error: any Error, provider: String) -> ProviderError {
        if let error = error as? ProviderError {
            guard error.provider == nil else { return error }
            return ProviderError(code: error.code, message: error.message, provider: provider, cause: error.cause)
        }
        if error is CancellationError { return .cancelled(provider: provider) }
        return ProviderError(
            code: .network, message: "The call to \(provider) failed unexpectedly. Retry; if it persists, report it.",
            provider: provider, cause: String(describing: type(of: error)))
    }
}
