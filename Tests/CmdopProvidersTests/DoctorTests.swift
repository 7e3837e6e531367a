import CmdopProviders
import CmdopProvidersTesting
import Testing

@Suite("LLM doctor", .timeLimit(.minutes(1)))
struct DoctorTests {
    @Test("a working endpoint passes every check")
    func healthy() async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.json(#"{"object":"list","data":[{"id":"test-model"},{"id":"other"}]}"#), for: "/v1/models")
            server.enqueue(.stream(Fixtures.bytes("openai-text.sse")), for: "/v1/chat/completions")
            server.enqueue(.stream(Fixtures.bytes("openai-tool.sse")), for: "/v1/chat/completions")
            server.enqueue(.stream(Fixtures.bytes("openai-text.sse")), for: "/v1/chat/completions")
            let config = ProviderConfig(name: "fake", wire: .openAIChat, baseURL: server.baseURL + "/v1", apiKeyEnv: "FAKE_KEY", defaultModel: "test-model")
            let report = await LLMDoctor(transport: sharedTransport, environment: ["FAKE_KEY": "k"]).check(config)
            #expect(report.isHealthy, "\(report)")
            #expect(report.checks.map(\.name) == ["API key", "models listed", "streamed reply", "tool call round-trip"])
            let followUp = try JSONValue(parsingBytes: server.requests[3].body)
            #expect(followUp["messages"]?[2]?["role"]?.stringValue == "tool")
        }
    }

    @Test("an unreachable endpoint fails with the fix and skips the rest")
    func unreachable() async throws {
        let port = try await deadPort()
        let config = ProviderConfig(name: "local", wire: .ollama, baseURL: "http://127.0.0.1:\(port)", defaultModel: "qwen2.5:7b")
        let report = await LLMDoctor(transport: sharedTransport, environment: [:]).check(config)
        #expect(!report.isHealthy)
        #expect(report.checks[0].status == .failed)
        #expect(report.checks[0].fix?.contains("ollama serve") == true)
        #expect(report.checks.dropFirst().allSatisfy { $0.status == .skipped })
        #expect(report.description.contains("fix: start the server"))
    }

    @Test("a missing key and an unserved model are reported with fixes")
    func missingKeyAndModel() async throws {
        let config = ProviderConfig(name: "cloud", wire: .anthropicMessages, baseURL: "https://api.anthropic.com", apiKeyEnv: "MISSING_KEY", defaultModel: "m")
        let report = await LLMDoctor(transport: sharedTransport, environment: [:]).check(config)
        #expect(report.checks[0].fix == "export MISSING_KEY=<your key> in the environment that runs cmdop")
        try await withFakeLLMServer { server in
            server.enqueue(.json(#"{"models":[{"name":"llama3.2"}]}"#), for: "/api/tags")
            server.enqueue(.stream(Fixtures.bytes("ollama-text.ndjson"), contentType: "application/x-ndjson"), for: "/api/chat")
            server.enqueue(.stream(Fixtures.bytes("ollama-tool.ndjson"), contentType: "application/x-ndjson"), for: "/api/chat")
            server.enqueue(.stream(Fixtures.bytes("ollama-text.ndjson"), contentType: "application/x-ndjson"), for: "/api/chat")
            let local = ProviderConfig(name: "local", wire: .ollama, baseURL: server.baseURL, defaultModel: "qwen2.5:7b")
            let report = await LLMDoctor(transport: sharedTransport, environment: [:]).check(local)
            let models = try #require(report.checks.first { $0.name == "models listed" })
            #expect(models.status == .failed)
            #expect(models.fix?.contains("ollama pull qwen2.5:7b") == true)
        }
    }
}
