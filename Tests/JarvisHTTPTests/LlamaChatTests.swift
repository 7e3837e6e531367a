import CmdopCurl
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import JarvisCore
import Testing

/// One chat end to end through the real llama.cpp server (SmolLM2-135M on one thread): HTTP API →
/// jarvis's loop → libcurl → llama.cpp, with the fleet's tools offered, streamed back over SSE.
@Suite("jarvis chats through the real llama.cpp server", .timeLimit(.minutes(5)))
struct LlamaChatTests {
    @Test("a message posted over HTTP is answered by the real model, token by token over SSE")
    func chatThroughLlama() async throws {
        let root = try await LlamaServer.baseURL()
        try await withCurlTransport { curl in
            try await TestMesh.with { mesh in
                let fleet = try mesh.fleet("ops")
                try await mesh.startAgent("web-1", fleet: fleet)
                let provider = WireProvider(
                    config: ProviderConfig(name: "llama", wire: .openAIChat, baseURL: root + "/v1", defaultModel: "SmolLM2-135M-Instruct"),
                    transport: curl, environment: [:],
                    timeouts: HTTPRequest.Timeouts(connect: .seconds(5), idle: .seconds(60), total: .seconds(120)))
                try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: strict\n", provider: provider, curl: curl,
                                             budget: RunBudget(maxTurns: 2, maxTokens: 4000, maxTokensPerTurn: 48)) { jarvis in
                    let key = fleet.operatorKey
                    let sessionID = try #require(try await jarvis.call("POST", "/v1/sessions", key: key).body["id"]?.stringValue)
                    let posted = try await jarvis.call("POST", "/v1/sessions/\(sessionID)/messages", key: key, json: #"{"text":"Say hello in one short sentence."}"#)
                    #expect(posted.status == 202)
                    let events = try await jarvis.events("/v1/sessions/\(sessionID)/events", key: key) { events in
                        events.contains { $0.kind == "run_finished" }
                    }
                    let finished = try #require(events.last?.data["data"])
                    let stop = finished["stop"]?.stringValue ?? ""
                    #expect(!stop.contains("modelFailed"), "the model call failed: \(stop)")
                    let usage = events.filter { $0.kind == "usage" }.compactMap { $0.data["data"]?["output_tokens"]?.intValue }
                    #expect(!usage.isEmpty && usage.allSatisfy { $0 > 0 })
                    // The reply streamed as tokens, or the model called a tool (a tiny model may do either).
                    #expect(events.contains { $0.kind == "token" } || events.contains { $0.kind == "tool_started" })
                }
            }
        }
    }
}
