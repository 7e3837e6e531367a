import CmdopProviders
import CmdopProvidersTesting
import Testing

@Suite("Retries, circuit breaker and fallback", .timeLimit(.minutes(1)))
struct ResilienceTests {
    @Test("429 with retry-after is waited out, then the call succeeds")
    func rateLimited() async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.json(#"{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}"#, status: 429, headers: [("retry-after", "7")]), for: "/v1/messages")
            server.enqueue(.stream(Fixtures.bytes("anthropic-text.sse")), for: "/v1/messages")
            let clock = TestClock()
            let provider = RetryingProvider(makeProvider(.anthropicMessages, root: server.baseURL), policy: RetryPolicy(clock: clock))
            let result = await drain(provider.stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error == nil)
            #expect(result.events.text.hasPrefix("Bonjour"))
            #expect(clock.sleeps.count == 1)
            #expect(clock.sleeps[0] >= .seconds(7))
        }
    }

    @Test("the 429 error names the wait and the fix")
    func rateLimitedMessage() async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.json(#"{"error":{"message":"slow down"}}"#, status: 429, headers: [("retry-after", "2")]), for: "/v1/chat/completions")
            let result = await drain(makeProvider(.openAIChat, root: server.baseURL).stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error?.code == .rateLimited(retryAfter: .seconds(2)))
            #expect(result.error?.message.contains("wait 2 s") == true)
            #expect(result.error?.message.contains("slow down") == true)
        }
    }

    @Test("500 then success is retried with backoff")
    func serverErrorThenSuccess() async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.json(#"{"error":{"message":"boom"}}"#, status: 500), for: "/v1/chat/completions")
            server.enqueue(.json(#"{"error":{"message":"boom"}}"#, status: 503), for: "/v1/chat/completions")
            server.enqueue(.stream(Fixtures.bytes("openai-text.sse")), for: "/v1/chat/completions")
            let clock = TestClock()
            let policy = RetryPolicy(clock: clock, random: { 1 })
            let result = await drain(RetryingProvider(makeProvider(.openAIChat, root: server.baseURL), policy: policy).stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error == nil)
            #expect(server.requests.count == 3)
            #expect(clock.sleeps == [.milliseconds(500), .seconds(1)])
        }
    }

    @Test("the default policy: 6 attempts, exponential from 500 ms capped at 32 s, no retry for bad requests")
    func policyShape() {
        let policy = RetryPolicy(maxAttempts: 9, clock: TestClock(), random: { 1 })
        let server = ProviderError(code: .server(status: 502), message: "x")
        #expect((1...8).map { policy.delay(beforeRetry: $0, after: server) } == [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32), .seconds(32),
        ])
        #expect(policy.delay(beforeRetry: 9, after: server) == nil)
        #expect(RetryPolicy.default.maxAttempts == 6)
        #expect(policy.delay(beforeRetry: 1, after: ProviderError(code: .badRequest, message: "x")) == nil)
        #expect(policy.delay(beforeRetry: 1, after: ProviderError(code: .rateLimited(retryAfter: .seconds(600)), message: "x")) == nil)
        let jittered = RetryPolicy(clock: TestClock(), random: { 0 }).delay(beforeRetry: 2, after: server)
        #expect(jittered == .milliseconds(500))
    }

    @Test("authentication failures are not retried and never show the key")
    func authentication() async throws {
        try await withFakeLLMServer { server in
            server.setDefault(.json(#"{"error":{"message":"Incorrect API key provided: sk-secret-value-123"}}"#, status: 401), for: "/v1/chat/completions")
            let clock = TestClock()
            let provider = RetryingProvider(
                makeProvider(.openAIChat, root: server.baseURL, apiKeyEnv: "FAKE_KEY", environment: ["FAKE_KEY": "sk-secret-value-123"]),
                policy: RetryPolicy(clock: clock))
            let result = await drain(provider.stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error?.code == .authentication)
            #expect(result.error?.message.contains("FAKE_KEY") == true)
            #expect(result.error?.description.contains("sk-secret-value-123") == false)
            #expect(server.requests.count == 1)
            #expect(server.requests[0].header("authorization") == "Bearer sk-secret-value-123")
        }
    }

    @Test("a missing key variable fails before any request, naming the variable")
    func missingKey() async throws {
        let result = await drain(makeProvider(.anthropicMessages, root: "http://127.0.0.1:9", apiKeyEnv: "ANTHROPIC_API_KEY").stream(ChatRequest(messages: [.user("hi")])))
        #expect(result.error?.code == .authentication)
        #expect(result.error?.message.contains("export ANTHROPIC_API_KEY") == true)
    }

    @Test("connection refused names the endpoint and asks whether the server runs")
    func connectionRefused() async throws {
        let port = try await deadPort()
        let result = await drain(makeProvider(.ollama, root: "http://127.0.0.1:\(port)").stream(ChatRequest(messages: [.user("hi")])))
        #expect(result.error?.code == .network)
        #expect(result.error?.message.contains("127.0.0.1:\(port)") == true)
        #expect(result.error?.message.contains("ollama serve") == true)
    }

    @Test("the circuit opens after repeated failures, fails fast, and probes again after the pause")
    func circuitBreaker() async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.json(#"{"error":"down"}"#, status: 502), for: "/api/chat")
            server.enqueue(.json(#"{"error":"down"}"#, status: 502), for: "/api/chat")
            server.enqueue(.stream(Fixtures.bytes("ollama-text.ndjson"), contentType: "application/x-ndjson"), for: "/api/chat")
            let clock = TestClock()
            let breaker = CircuitBreaker(endpoint: server.baseURL, failureThreshold: 2, openDuration: .seconds(30), clock: clock)
            let provider = makeProvider(.ollama, root: server.baseURL, breaker: breaker)
            let request = ChatRequest(messages: [.user("hi")])
            #expect(await drain(provider.stream(request)).error?.code == .server(status: 502))
            #expect(await drain(provider.stream(request)).error?.code == .server(status: 502))
            let refused = await drain(provider.stream(request)).error
            #expect(refused?.code.name == "circuitOpen")
            #expect(refused?.message.contains("cmdop llm doctor") == true)
            #expect(server.requests.count == 2, "an open circuit sends nothing")
            clock.advance(by: .seconds(31))
            let probe = await drain(provider.stream(request))
            #expect(probe.error == nil)
            #expect(breaker.currentState == .closed(consecutiveFailures: 0))
        }
    }

    @Test("bad requests do not trip the circuit")
    func badRequestsKeepCircuitClosed() async throws {
        try await withFakeLLMServer { server in
            server.setDefault(.json(#"{"error":{"message":"unknown field"}}"#, status: 400), for: "/v1/messages")
            let breaker = CircuitBreaker(endpoint: server.baseURL, failureThreshold: 1, clock: TestClock())
            let provider = makeProvider(.anthropicMessages, root: server.baseURL, breaker: breaker)
            for _ in 0..<3 { #expect(await drain(provider.stream(ChatRequest(messages: [.user("hi")]))).error?.code == .badRequest) }
            #expect(server.requests.count == 3)
        }
    }

    @Test("the fallback chain moves to the next provider when one fails before output")
    func fallback() async throws {
        let port = try await deadPort()
        try await withFakeLLMServer { server in
            server.enqueue(.stream(Fixtures.bytes("anthropic-text.sse")), for: "/v1/messages")
            let chain = FallbackProvider([
                makeProvider(.ollama, root: "http://127.0.0.1:\(port)", name: "local"),
                makeProvider(.anthropicMessages, root: server.baseURL, name: "cloud"),
            ])
            let result = await drain(chain.stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error == nil)
            #expect(result.events.usage?.provider == "cloud")
            #expect(chain.name == "local→cloud")
        }
    }

    @Test("when every provider fails, the error lists each one")
    func fallbackExhausted() async throws {
        let port = try await deadPort()
        try await withFakeLLMServer { server in
            server.setDefault(.json(#"{"error":"busy"}"#, status: 503), for: "/api/chat")
            let chain = FallbackProvider([
                makeProvider(.ollama, root: "http://127.0.0.1:\(port)", name: "a"),
                makeProvider(.ollama, root: server.baseURL, name: "b"),
            ])
            let result = await drain(chain.stream(ChatRequest(messages: [.user("hi")])))
            #expect(result.error?.message.contains("a: network; b: server(503)") == true)
            await #expect(throws: ProviderError.self) { try await chain.complete(ChatRequest(messages: [.user("hi")])) }
        }
    }
}
