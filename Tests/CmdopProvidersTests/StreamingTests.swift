import CmdopProviders
import CmdopProvidersTesting
import Testing

@Suite("Streaming over curl from the fake server", .timeLimit(.minutes(1)))
struct StreamingTests {
    static let textFixtures: [(ProviderConfig.Wire, String)] = [
        (.openAIChat, "openai-text.sse"), (.anthropicMessages, "anthropic-text.sse"), (.ollama, "ollama-text.ndjson"),
    ]

    /// The events of a fixture served in one piece.
    func reference(_ wire: ProviderConfig.Wire, _ fixture: String, tools: [ToolDefinition] = []) async throws -> [LLMEvent] {
        try await withFakeLLMServer { server in
            server.enqueue(.stream(Fixtures.bytes(fixture), contentType: contentType(wire)), for: chatPath(wire))
            let result = await drain(makeProvider(wire, root: server.baseURL).stream(ChatRequest(messages: [.user("hi")], tools: tools)))
            #expect(result.error == nil)
            return result.events
        }
    }

    @Test("chunks split mid-JSON and mid-UTF-8 decode to the same events", arguments: [1, 3, 7, 64])
    func splitChunks(size: Int) async throws {
        for (wire, fixture) in Self.textFixtures {
            let expected = try await reference(wire, fixture)
            #expect(expected.text.contains("é") || expected.text.contains("☕"), "fixture \(fixture) should hold non-ASCII text")
            try await withFakeLLMServer { server in
                let bytes = Fixtures.bytes(fixture)
                server.enqueue(.stream(bytes, contentType: contentType(wire), chunkSize: size, delay: size == 1 ? .zero : .milliseconds(1)), for: chatPath(wire))
                let result = await drain(makeProvider(wire, root: server.baseURL).stream(ChatRequest(messages: [.user("hi")])))
                #expect(result.error == nil, "\(wire): \(String(describing: result.error))")
                #expect(result.events.text == expected.text, "\(wire) with \(size)-byte chunks")
                #expect(result.events.stop == expected.stop)
                #expect(result.events.usage?.tokens == expected.usage?.tokens)
            }
        }
    }

    @Test("a multi-byte character split across two chunks is reassembled")
    func utf8Split() async throws {
        let body = Array("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"☕é\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n".utf8)
        let coffee = body.firstIndex(of: 0xE2)!
        try await withFakeLLMServer { server in
            server.enqueue(.stream(body, splitAt: [coffee + 1, coffee + 2, coffee + 4], delay: .milliseconds(20)), for: "/v1/chat/completions")
            let result = await drain(makeProvider(.openAIChat, root: server.baseURL).stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error == nil)
            #expect(result.events.text == "☕é")
        }
    }

    @Test("a slow drip within the idle timeout streams every event in order")
    func slowDrip() async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.stream(Fixtures.bytes("anthropic-text.sse"), chunkSize: 200, delay: .milliseconds(40)), for: "/v1/messages")
            let timeouts = HTTPRequest.Timeouts(connect: .seconds(10), idle: .seconds(10), total: .seconds(45))
            let start = ContinuousClock.now
            let result = await drain(makeProvider(.anthropicMessages, root: server.baseURL, timeouts: timeouts).stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error == nil)
            #expect(result.events.text.hasPrefix("Bonjour"))
            #expect(start.duration(to: .now) > .milliseconds(400))
            #expect(result.events.last == .stop(.maxTokens))
        }
    }

    @Test("silence longer than the idle timeout fails with .timeout")
    func idleTimeout() async throws {
        try await withFakeLLMServer { server in
            let bytes = Fixtures.bytes("openai-text.sse")
            server.enqueue(ScriptedResponse(headers: [("content-type", "text/event-stream")], chunks: [.init(Array(bytes[..<600]))], ending: .stall(.seconds(5))), for: "/v1/chat/completions")
            let timeouts = HTTPRequest.Timeouts(connect: .seconds(2), idle: .milliseconds(300), total: .seconds(20))
            let result = await drain(makeProvider(.openAIChat, root: server.baseURL, timeouts: timeouts).stream(ChatRequest(messages: [.user("hi")])))
            // The idle timeout (not the 20 s total, and not the stall's end) is what stopped it.
            #expect(result.error?.code == .timeout)
            #expect(result.error?.message.contains("sent nothing for 300 ms") == true)
            #expect(server.responsesPlayedToEnd == 0)
        }
    }

    @Test("a disconnect mid-stream after output fails with .network and keeps the output delivered")
    func disconnectMidStream() async throws {
        try await withFakeLLMServer { server in
            let bytes = Fixtures.bytes("openai-text.sse")
            server.enqueue(.stream(bytes, splitAt: [900], delay: .milliseconds(5), ending: .disconnect), for: "/v1/chat/completions")
            server.enqueue(.stream(bytes), for: "/v1/chat/completions")
            let provider = RetryingProvider(makeProvider(.openAIChat, root: server.baseURL), policy: RetryPolicy(clock: TestClock()))
            let result = await drain(provider.stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error?.code == .network)
            #expect(!result.events.text.isEmpty)
            #expect(server.requests.count == 1, "no retry once output reached the caller")
        }
    }

    @Test("a disconnect before any output is retried transparently")
    func disconnectBeforeOutput() async throws {
        try await withFakeLLMServer { server in
            let bytes = Fixtures.bytes("ollama-text.ndjson")
            server.enqueue(ScriptedResponse(headers: [("content-type", "application/x-ndjson")], chunks: [.init("{\"model\":\"qwen")], ending: .disconnect), for: "/api/chat")
            server.enqueue(.stream(bytes, contentType: "application/x-ndjson"), for: "/api/chat")
            let clock = TestClock()
            let provider = RetryingProvider(makeProvider(.ollama, root: server.baseURL), policy: RetryPolicy(clock: clock))
            let result = await drain(provider.stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error == nil)
            #expect(result.events.text == "Bonjour! Le café est prêt ☕.")
            #expect(server.requests.count == 2)
            #expect(clock.sleeps.count == 1)
        }
    }

    @Test("a malformed line fails with .decoding naming the fix")
    func malformedLine() async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.stream(pieces: ["{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n", "{\"message\": oops}\n"], contentType: "application/x-ndjson"), for: "/api/chat")
            let result = await drain(makeProvider(.ollama, root: server.baseURL).stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.events.text == "Hi")
            #expect(result.error?.code == .decoding)
            #expect(result.error?.message.contains("wire setting") == true)
        }
    }

    @Test("an error object inside the stream becomes a typed error", arguments: [
        (ProviderConfig.Wire.openAIChat, "data: {\"error\":{\"message\":\"upstream exploded\",\"type\":\"server_error\"}}\n\n", "server"),
        (ProviderConfig.Wire.anthropicMessages, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", "rateLimited"),
        (ProviderConfig.Wire.ollama, "{\"error\":\"model requires more system memory\"}\n", "server"),
        (ProviderConfig.Wire.openAIChat, "data: {\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\",\"type\":\"invalid_request_error\"}}\n\n", "contextLengthExceeded"),
    ])
    func errorInStream(wire: ProviderConfig.Wire, body: String, code: String) async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.stream(pieces: [body], contentType: contentType(wire)), for: chatPath(wire))
            let result = await drain(makeProvider(wire, root: server.baseURL).stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error?.code.name == code, "\(String(describing: result.error))")
        }
    }

    @Test("a stream that ends without its terminator fails with .network")
    func truncatedCleanly() async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.stream(pieces: ["event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}\n\n"]), for: "/v1/messages")
            let result = await drain(makeProvider(.anthropicMessages, root: server.baseURL).stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error?.code == .network)
        }
    }

    @Test("fifty concurrent streams on one transport all complete")
    func concurrentStreams() async throws {
        try await withFakeLLMServer { server in
            server.setDefault(.stream(Fixtures.bytes("openai-text.sse"), chunkSize: 500, delay: .milliseconds(2)), for: "/v1/chat/completions")
            let provider = makeProvider(.openAIChat, root: server.baseURL)
            let texts = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 { group.addTask { try await provider.stream(ChatRequest(messages: [.user("hi")])).collect().text } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(texts.count == 50)
            #expect(Set(texts).count == 1)
        }
    }
}
