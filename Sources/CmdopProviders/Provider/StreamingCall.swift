/// The state of one streamed call of a ``WireProvider``, driven by the iterating task.
final class StreamingCall {
    private enum Phase {
        case idle
        case streaming(HTTPBody.AsyncIterator, any StreamDecoder, WireContext)
        case finished
    }

    private let provider: WireProvider
    private let request: ChatRequest
    private var phase = Phase.idle
    private var pending: [LLMEvent] = []
    private var pendingIndex = 0
    private var tokens = TokenUsage()
    private var stop: StopReason?
    private var model = ""
    private let started = ContinuousClock.now
    private var firstToken: Duration?

    init(provider: WireProvider, request: ChatRequest) {
        self.provider = provider
        self.request = request
    }

    func next() async throws -> LLMEvent? {
        while true {
            if pendingIndex < pending.count {
                defer { pendingIndex += 1 }
                return pending[pendingIndex]
            }
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            do {
                switch phase {
                case .finished:
                    return nil
                case .idle:
                    let (response, context) = try await provider.open(request)
                    model = context.model
                    phase = .streaming(
                        response.body.makeAsyncIterator(), provider.config.wire.format.makeStreamDecoder(context: context),
                        context)
                case .streaming(var body, var decoder, let context):
                    phase = .finished  // released while suspended; restored below
                    if let chunk = try await body.next() {
                        let events = try decoder.decode(chunk)
                        phase = .streaming(body, decoder, context)
                        append(events)
                    } else {
                        try Task.checkCancellation()
                        append(try decoder.finish())
                        finish()
                    }
                }
            } catch {
                phase = .finished
                let mapped = ProviderErrorMapping.map(error, provider: provider.name)
                provider.recordOutcome(mapped)
                throw Task.isCancelled ? ProviderError.cancelled(provider: provider.name) : mapped
            }
        }
    }

    private func append(_ events: [WireEvent]) {
        for event in events {
            switch event {
            case .text(let text):
                if firstToken == nil { firstToken = started.duration(to: .now) }
                pending.append(.textDelta(text))
            case .toolCall(let call):
                if firstToken == nil { firstToken = started.duration(to: .now) }
                pending.append(.toolCall(call))
            case .usage(let usage):
                tokens.merge(usage)
            case .stop(let reason):
                stop = reason
            }
        }
    }

    private func finish() {
        phase = .finished
        provider.recordOutcome(nil)
        let usage = provider.callUsage(
            model: model, tokens: tokens, wallTime: started.duration(to: .now), ttft: firstToken)
        pending.append(.usage(usage))
        pending.append(.stop(stop ?? .endTurn))
    }
}
