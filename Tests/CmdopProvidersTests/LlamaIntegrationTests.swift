import CmdopProviders
import CmdopProvidersTesting
import Testing

/// Against the real llama.cpp server (SmolLM2-135M, one thread) through both of its chat endpoints.
@Suite("Real llama.cpp server", .serialized, .timeLimit(.minutes(5)))
struct LlamaIntegrationTests {
    static let wires: [ProviderConfig.Wire] = [.openAIChat, .anthropicMessages]

    func provider(_ wire: ProviderConfig.Wire) async throws -> WireProvider {
        let root = try await LlamaServer.baseURL()
        return WireProvider(
            config: ProviderConfig(
                name: "llama", wire: wire, baseURL: baseURL(root, wire), defaultModel: "SmolLM2-135M-Instruct"),
            transport: sharedTransport, environment: [:],
            timeouts: HTTPRequest.Timeouts(connect: .seconds(5), idle: .seconds(60), total: .seconds(120)))
    }

    @Test("a streamed reply arrives as text deltas with usage", arguments: wires)
    func streamedReply(wire: ProviderConfig.Wire) async throws {
        let provider = try await provider(wire)
        let result = await drain(
            provider.stream(ChatRequest(messages: [.user("Say hello.")], temperature: 0, maxTokens: 12)))
        #expect(result.error == nil, "\(String(describing: result.error))")
        #expect(result.events.filter { if case .textDelta = $0 { true } else { false } }.count > 1)
        #expect(!result.events.text.isEmpty)
        let usage = try #require(result.events.usage)
        #expect(usage.tokens.outputTokens > 0)
        #expect(result.events.stop == .maxTokens || result.events.stop == .endTurn)
    }

    @Test("a tool call comes back parsed", arguments: wires)
    func toolCall(wire: ProviderConfig.Wire) async throws {
        let provider = try await provider(wire)
        let request = ChatRequest(
            messages: [.user("Call the get_weather tool with city Paris.")], tools: [weatherTool], temperature: 0,
            maxTokens: 64)
        let result = await drain(provider.stream(request))
        #expect(result.error == nil, "\(String(describing: result.error))")
        let call = try #require(result.events.toolCalls.first, "no tool call; text was: \(result.events.text)")
        #expect(call.name == "get_weather")
        #expect(call.arguments.json?["city"]?.stringValue == "Paris")
        #expect(result.events.stop == .toolUse)
    }

    @Test("the doctor finds the server healthy")
    func doctor() async throws {
        let root = try await LlamaServer.baseURL()
        let config = ProviderConfig(
            name: "llama", wire: .openAIChat, baseURL: root + "/v1", defaultModel: "SmolLM2-135M-Instruct")
        let report = await LLMDoctor(transport: sharedTransport, environment: [:]).check(config)
        #expect(report.isHealthy, "\(report)")
    }
}
