import CmdopCurl
import CmdopProviders
import CmdopProvidersTesting
import Foundation

/// How long a cancelled stream keeps its connection: from `Task.cancel()` on the consumer to the
/// fake server seeing the connection close (the tests check only that it closes before the rest of
/// the reply is sent; the time is measured here, where a busy machine does not fail a build).
enum CancelLatency {
    static func measure(runs: Int, transport: CurlHTTPTransport) async throws -> [Double] {
        try await withFakeLLMServer { server in
            let bytes = Fixtures.bytes("openai-text.sse")
            var latencies: [Double] = []
            for _ in 0..<runs {
                let before = server.disconnects.count
                server.enqueue(ScriptedResponse(headers: [("content-type", "text/event-stream")],
                                                chunks: [.init(Array(bytes[..<700])), .init(Array(bytes[700...]), delay: .seconds(30))]),
                               for: "/v1/chat/completions")
                let provider = WireProvider(
                    config: ProviderConfig(name: "bench", wire: .openAIChat, baseURL: server.baseURL + "/v1", defaultModel: "m"),
                    transport: transport, environment: [:], timeouts: HTTPRequest.Timeouts(idle: .seconds(60)))
                let (first, firstSeen) = AsyncStream<Void>.makeStream()
                let task = Task {
                    for try await event in provider.stream(ChatRequest(messages: [.user("hi")])) {
                        if case .textDelta = event { firstSeen.yield() }
                    }
                }
                for await _ in first { break }
                let cancelled = ContinuousClock.now
                task.cancel()
                while server.disconnects.count == before { try await Task.sleep(for: .microseconds(200)) }
                latencies.append(cancelled.duration(to: server.disconnects[before]).seconds)
                _ = try? await task.value
            }
            return latencies.sorted()
        }
    }
}
