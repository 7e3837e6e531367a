import CmdopProviders
import CmdopProvidersTesting
import Testing

@Suite("Accounting", .timeLimit(.minutes(1)))
struct AccountingTests {
    @Test("ollama eval counts and durations become tokens, speed, cost and wall time")
    func ollamaUsage() async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.stream(Fixtures.bytes("ollama-text.ndjson"), contentType: "application/x-ndjson"), for: "/api/chat")
            let provider = makeProvider(.ollama, root: server.baseURL, priceIn: 1, priceOut: 2)
            let result = await drain(provider.stream(ChatRequest(messages: [.user("hi")])))
            let usage = try #require(result.events.usage)
            #expect(usage.tokens.inputTokens == 26)
            #expect(usage.tokens.outputTokens == 12)
            #expect(usage.tokens.evalDuration == .milliseconds(240))
            #expect(usage.tokens.outputTokensPerSecond == 50)
            #expect(abs(usage.cost - (26.0 + 24.0) / 1_000_000) < 1e-12)
            #expect(usage.wallTime > .zero)
            #expect(usage.timeToFirstToken != nil)
            #expect(usage.provider == "fake" && usage.model == "test-model")
        }
    }

    @Test("OpenAI's final usage chunk and Anthropic's cumulative usage are read", arguments: [
        (ProviderConfig.Wire.openAIChat, "openai-parallel-tools.sse", 82, 40),
        (ProviderConfig.Wire.anthropicMessages, "anthropic-parallel-tools.sse", 412, 89),
    ])
    func vendorUsage(wire: ProviderConfig.Wire, fixture: String, input: Int, output: Int) async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.stream(Fixtures.bytes(fixture)), for: chatPath(wire))
            let result = await drain(makeProvider(wire, root: server.baseURL).stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.events.usage?.tokens.inputTokens == input)
            #expect(result.events.usage?.tokens.outputTokens == output)
        }
    }

    @Test("the ledger sums calls overall and per model")
    func ledger() {
        let ledger = UsageLedger()
        ledger.record(CallUsage(provider: "a", model: "m1", tokens: TokenUsage(inputTokens: 10, outputTokens: 5), cost: 0.5, wallTime: .seconds(1)))
        ledger.record(CallUsage(provider: "a", model: "m1", tokens: TokenUsage(inputTokens: 1, outputTokens: 1), cost: 0.25, wallTime: .seconds(2)))
        ledger.record(CallUsage(provider: "b", model: "m2", tokens: TokenUsage(inputTokens: 100, outputTokens: 0), cost: 0, wallTime: .zero))
        #expect(ledger.total.calls == 3)
        #expect(ledger.total.inputTokens == 111)
        #expect(ledger.total.outputTokens == 6)
        #expect(ledger.total.cost == 0.75)
        #expect(ledger.byModel[.init(provider: "a", model: "m1")]?.wallTime == .seconds(3))
    }
}
