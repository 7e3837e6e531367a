import CmdopProviders
import CmdopProvidersTesting
import Testing

@Suite("Tool calls over curl from the fake server", .timeLimit(.minutes(1)))
struct ToolCallTests {
    @Test("parallel tool calls come back complete, parsed and with names mapped back", arguments: [
        (ProviderConfig.Wire.openAIChat, "openai-parallel-tools.sse"),
        (ProviderConfig.Wire.anthropicMessages, "anthropic-parallel-tools.sse"),
        (ProviderConfig.Wire.ollama, "ollama-tool.ndjson"),
    ])
    func parallelCalls(wire: ProviderConfig.Wire, fixture: String) async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.stream(Fixtures.bytes(fixture), contentType: contentType(wire), chunkSize: 5), for: chatPath(wire))
            let request = ChatRequest(messages: [.user("weather?")], tools: [weatherTool, dottedTool])
            let result = await drain(makeProvider(wire, root: server.baseURL).stream(request))
            #expect(result.error == nil)
            let calls = result.events.toolCalls
            #expect(calls.count == 2)
            #expect(calls[0].name == "get_weather")
            #expect(calls[0].arguments.json?["city"]?.stringValue == "Paris")
            #expect(Set(calls.map(\.id)).count == 2)
            #expect(calls.allSatisfy { !$0.id.isEmpty })
            if wire == .openAIChat {
                #expect(calls[1].arguments.json?["city"]?.stringValue == "Tōkyō")
            } else {
                #expect(calls[1].name == "admin.tools.list")
                #expect(calls[1].arguments.json?["verbose"]?.boolValue == true)
            }
            #expect(result.events.stop == .toolUse)
            #expect(result.events.last == .stop(.toolUse))
        }
    }

    @Test("recorded llama.cpp tool-call streams parse", arguments: [
        (ProviderConfig.Wire.openAIChat, "openai-tool.sse"), (ProviderConfig.Wire.anthropicMessages, "anthropic-tool.sse"),
    ])
    func recordedToolCall(wire: ProviderConfig.Wire, fixture: String) async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.stream(Fixtures.bytes(fixture), chunkSize: 9), for: chatPath(wire))
            let result = await drain(makeProvider(wire, root: server.baseURL).stream(ChatRequest(messages: [.user("x")], tools: [weatherTool])))
            #expect(result.error == nil)
            #expect(result.events.toolCalls.map(\.name) == ["get_weather"])
            #expect(result.events.toolCalls.first?.arguments.json == ["city": "Paris"])
        }
    }

    @Test("a tool call with invalid JSON arguments is delivered as .invalid with the raw text")
    func invalidArguments() async throws {
        try await withFakeLLMServer { server in
            let stream = """
                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\": \\"Par"}}]},"finish_reason":null}]}

                data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

                data: [DONE]


                """
            server.enqueue(.stream(pieces: [stream]), for: "/v1/chat/completions")
            let result = await drain(makeProvider(.openAIChat, root: server.baseURL).stream(ChatRequest(messages: [.user("x")], tools: [weatherTool])))
            #expect(result.error == nil)
            let call = try #require(result.events.toolCalls.first)
            guard case .invalid(let raw, _) = call.arguments else {
                Issue.record("expected invalid arguments, got \(call.arguments)")
                return
            }
            #expect(raw == #"{"city": "Par"#)
        }
    }

    @Test("gateway quirks: missing index and object arguments are accepted")
    func gatewayQuirks() async throws {
        try await withFakeLLMServer { server in
            let stream = """
                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"id":"a","function":{"name":"get_weather","arguments":"{\\"city\\":"}}]}}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"\\"Oslo\\"}"}}]}}]}

                data: {"choices":[{"index":0,"delta":{"tool_calls":[{"id":"b","function":{"name":"admin_tools_list","arguments":{"verbose":false}}}]}}]}

                data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

                data: [DONE]


                """
            server.enqueue(.stream(pieces: [stream]), for: "/v1/chat/completions")
            let request = ChatRequest(messages: [.user("x")], tools: [weatherTool, dottedTool])
            let result = await drain(makeProvider(.openAIChat, root: server.baseURL).stream(request))
            #expect(result.error == nil)
            #expect(result.events.toolCalls.map(\.id) == ["a", "b"])
            #expect(result.events.toolCalls[0].arguments.json == ["city": "Oslo"])
            #expect(result.events.toolCalls[1].name == "admin.tools.list")
            #expect(result.events.toolCalls[1].arguments.json == ["verbose": false])
        }
    }

    @Test("non-streaming replies decode text, tool calls and usage", arguments: [
        (ProviderConfig.Wire.openAIChat, "openai-tool.json"), (ProviderConfig.Wire.anthropicMessages, "anthropic-tool.json"),
    ])
    func nonStreaming(wire: ProviderConfig.Wire, fixture: String) async throws {
        try await withFakeLLMServer { server in
            server.enqueue(.json(Fixtures.text(fixture)), for: chatPath(wire))
            let reply = try await makeProvider(wire, root: server.baseURL).complete(ChatRequest(messages: [.user("x")], tools: [weatherTool]))
            #expect(reply.toolCalls.map(\.name) == ["get_weather"])
            #expect(reply.toolCalls.first?.arguments.json == ["city": "Paris"])
            #expect(reply.stopReason == .toolUse)
            #expect(reply.usage.tokens.outputTokens == 33)
            let sent = try JSONValue(parsingBytes: server.requests[0].body)
            #expect(sent["stream"]?.boolValue != true)
        }
    }
}
