import CmdopCurl
import CmdopProviders
import CmdopProvidersTesting
import Synchronization
import Testing

@Suite("Cancellation and flow control", .timeLimit(.minutes(1)))
struct CancellationTests {
    @Test("cancelling the consuming task aborts the transfer: the connection closes before the rest is sent", arguments: [ProviderConfig.Wire.openAIChat, .anthropicMessages, .ollama])
    func cancelWithin100ms(wire: ProviderConfig.Wire) async throws {
        try await withFakeLLMServer { server in
            let fixture = wire == .ollama ? "ollama-text.ndjson" : wire == .openAIChat ? "openai-text.sse" : "anthropic-text.sse"
            let bytes = Fixtures.bytes(fixture)
            let cut = bytes.firstIndex(of: 0x0A)! + (wire == .ollama ? 5 : 700)
            server.enqueue(
                ScriptedResponse(headers: [("content-type", contentType(wire))], chunks: [.init(Array(bytes[..<cut])), .init(Array(bytes[cut...]), delay: .seconds(20))]),
                for: chatPath(wire))
            let provider = makeProvider(wire, root: server.baseURL, timeouts: HTTPRequest.Timeouts(idle: .seconds(60)))
            let (firstEvent, firstEventSeen) = AsyncStream<Void>.makeStream()
            let task = Task {
                var events = 0
                do {
                    for try await event in provider.stream(ChatRequest(messages: [.user("hi")])) {
                        events += 1
                        if case .textDelta = event, events == 1 { firstEventSeen.yield() }
                    }
                    return ProviderError?.none
                } catch {
                    return error as? ProviderError
                }
            }
            for await _ in firstEvent { break }
            #expect(server.disconnects.isEmpty)
            task.cancel()
            // The server sees the connection close before it would send the rest (20 s later, well
            // inside the suite's limit): the transfer was aborted, not drained. How fast is `make bench`'s.
            while server.disconnects.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
            #expect(server.responsesPlayedToEnd == 0, "the response was played to its end before the client hung up")
            let error = await task.value
            #expect(error?.code == .cancelled)
        }
    }

    @Test("cancelling while the server is still preparing the head aborts the transfer")
    func cancelBeforeHead() async throws {
        try await withFakeLLMServer { server in
            var response = ScriptedResponse.stream(Fixtures.bytes("anthropic-text.sse"))
            response.headDelay = .seconds(20)
            server.enqueue(response, for: "/v1/messages")
            let provider = makeProvider(.anthropicMessages, root: server.baseURL, timeouts: HTTPRequest.Timeouts(idle: .seconds(60)))
            let task = Task { await drain(provider.stream(ChatRequest(messages: [.user("hi")]))).error }
            while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
            task.cancel()
            while server.disconnects.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
            #expect(server.responsesPlayedToEnd == 0, "the head was sent (20 s later) before the client hung up")
            #expect(await task.value?.code == .cancelled)
        }
    }

    @Test("a reader that stops iterating and drops the stream aborts the transfer")
    func abandonedStream() async throws {
        try await withFakeLLMServer { server in
            let bytes = Fixtures.bytes("openai-text.sse")
            server.enqueue(
                ScriptedResponse(headers: [("content-type", "text/event-stream")], chunks: [.init(Array(bytes[..<700])), .init(Array(bytes[700...]), delay: .seconds(20))]),
                for: "/v1/chat/completions")
            let provider = makeProvider(.openAIChat, root: server.baseURL, timeouts: HTTPRequest.Timeouts(idle: .seconds(60)))
            do {
                var iterator = provider.stream(ChatRequest(messages: [.user("hi")])).makeAsyncIterator()
                _ = try await iterator.next()
            }
            while server.disconnects.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
            #expect(server.responsesPlayedToEnd == 0, "the abandoned transfer kept its connection until the end")
        }
    }

    @Test("the transport keeps working after cancelled transfers")
    func usableAfterCancel() async throws {
        try await withFakeLLMServer { server in
            server.setDefault(.stream(Fixtures.bytes("openai-text.sse"), splitAt: [600], delay: .milliseconds(300)), for: "/v1/chat/completions")
            let provider = makeProvider(.openAIChat, root: server.baseURL)
            for _ in 0..<5 {
                let task = Task { try await provider.stream(ChatRequest(messages: [.user("hi")])).collect() }
                try await Task.sleep(for: .milliseconds(20))
                task.cancel()
                _ = try? await task.value
            }
            let reply = try await provider.stream(ChatRequest(messages: [.user("hi")])).collect()
            #expect(reply.text.hasPrefix("Bonjour"))
        }
    }

    @Test("a slow reader pauses the transfer instead of buffering without bound, and loses nothing")
    func backpressure() async throws {
        try await withFakeLLMServer { server in
            var body: [UInt8] = []
            for index in 0..<40_000 {
                body += Array("{\"message\":{\"role\":\"assistant\",\"content\":\"token \(index) \"},\"done\":false}\n".utf8)
            }
            body += Array("{\"done\":true,\"done_reason\":\"stop\",\"eval_count\":40000}\n".utf8)
            server.enqueue(.stream(body, contentType: "application/x-ndjson", chunkSize: 32 * 1024), for: "/api/chat")
            let transport = CurlHTTPTransport(maxBufferedBytes: 64 * 1024)
            defer { transport.shutdown() }
            let provider = WireProvider(
                config: ProviderConfig(name: "slow", wire: .ollama, baseURL: server.baseURL, defaultModel: "m"),
                transport: transport, environment: [:], timeouts: HTTPRequest.Timeouts(idle: .seconds(5)))
            var count = 0
            var last = ""
            for try await event in provider.stream(ChatRequest(messages: [.user("hi")])) {
                if case .textDelta(let text) = event {
                    count += 1
                    last = text
                    if count % 5000 == 0 { try await Task.sleep(for: .milliseconds(100)) }
                }
            }
            #expect(count == 40_000)
            #expect(last == "token 39999 ")
        }
    }
}
