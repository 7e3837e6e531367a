import CmdopProviders
import Testing

@Suite("Request encoding")
struct WireEncodingTests {
    let call1 = ToolCall(id: "toolu_1", name: "admin.tools.list", arguments: ["verbose": true])
    let call2 = ToolCall(id: "toolu_2", name: "get_weather", arguments: ["city": "Paris"])

    var history: [ChatMessage] {
        [
            .system("You are jarvis."), .user("List tools and check Paris."),
            .assistant("Checking.", toolCalls: [call1, call2]),
            .toolResult(for: call1, content: "3 tools"), .toolResult(for: call2, content: "timeout", isError: true),
            .user("And then?"),
        ]
    }

    func body(_ wire: any WireFormat, _ request: ChatRequest, stream: Bool = true, key: String? = "sk-test-123456")
        throws -> (HTTPRequest, JSONValue)
    {
        let context = WireContext(
            provider: "p", baseURL: "http://h/", apiKey: key, model: "m", numCtx: 4096,
            names: ToolNameMapper(request: request))
        let http = try wire.chatRequest(request, context: context, stream: stream)
        return (http, try JSONValue(parsingBytes: http.body))
    }

    @Test("Anthropic: system on top, all tool results first in the next user message, then the user's text")
    func anthropicToolResults() throws {
        let request = ChatRequest(messages: history, tools: [weatherTool, dottedTool], toolChoice: .required)
        let (http, json) = try body(AnthropicMessagesWire(), request)
        #expect(http.url == "http://h/v1/messages")
        #expect(http.headers.contains { $0.name == "x-api-key" && $0.value == "sk-test-123456" })
        #expect(http.headers.contains { $0.name == "anthropic-version" })
        #expect(json["system"]?.stringValue == "You are jarvis.")
        #expect(json["max_tokens"]?.intValue == 4096)
        #expect(json["tool_choice"]?["type"]?.stringValue == "any")
        let messages = try #require(json["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
        let assistant = try #require(messages[1]["content"]?.arrayValue)
        #expect(assistant.map { $0["type"]?.stringValue } == ["text", "tool_use", "tool_use"])
        #expect(assistant[1]["name"]?.stringValue == "admin_tools_list")
        #expect(assistant[2]["input"]?["city"]?.stringValue == "Paris")
        let results = try #require(messages[2]["content"]?.arrayValue)
        #expect(results.map { $0["type"]?.stringValue } == ["tool_result", "tool_result", "text"])
        #expect(results[0]["tool_use_id"]?.stringValue == "toolu_1")
        #expect(results[1]["is_error"]?.boolValue == true)
        #expect(results[2]["text"]?.stringValue == "And then?")
        #expect(json["tools"]?[1]?["name"]?.stringValue == "admin_tools_list")
        #expect(json["tools"]?[0]?["input_schema"]?["required"]?[0]?.stringValue == "city")
    }

    @Test("OpenAI: assistant tool calls with string arguments, one tool message per call id, usage requested")
    func openAIMessages() throws {
        let request = ChatRequest(messages: history, tools: [weatherTool, dottedTool], toolChoice: .tool("admin.tools.list"))
        let (http, json) = try body(OpenAIChatWire(), request)
        #expect(http.url == "http://h/chat/completions")
        #expect(http.headers.contains { $0.name == "Authorization" && $0.value == "Bearer sk-test-123456" })
        #expect(json["stream_options"]?["include_usage"]?.boolValue == true)
        #expect(json["temperature"]?.doubleValue == 0.3)
        let messages = try #require(json["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool", "tool", "user"])
        let calls = try #require(messages[2]["tool_calls"]?.arrayValue)
        #expect(calls[0]["function"]?["name"]?.stringValue == "admin_tools_list")
        #expect(calls[1]["function"]?["arguments"]?.stringValue == #"{"city":"Paris"}"#)
        #expect(messages[4]["tool_call_id"]?.stringValue == "toolu_2")
        #expect(json["tool_choice"]?["function"]?["name"]?.stringValue == "admin_tools_list")
    }

    @Test("ollama: options carry num_ctx and temperature, arguments are objects, tool results name the tool")
    func ollamaMessages() throws {
        let request = ChatRequest(messages: history, tools: [weatherTool], maxTokens: 100)
        let (http, json) = try body(OllamaWire(), request, stream: true, key: nil)
        #expect(http.url == "http://h/api/chat")
        #expect(!http.headers.contains { $0.name == "Authorization" })
        #expect(json["options"]?["num_ctx"]?.intValue == 4096)
        #expect(json["options"]?["num_predict"]?.intValue == 100)
        #expect(json["stream"]?.boolValue == true)
        let messages = try #require(json["messages"]?.arrayValue)
        #expect(messages[2]["tool_calls"]?[1]?["function"]?["arguments"]?["city"]?.stringValue == "Paris")
        #expect(messages[3]["tool_name"]?.stringValue == "admin_tools_list")
    }

    @Test("a request's description never shows the key")
    func redaction() throws {
        let (http, _) = try body(AnthropicMessagesWire(), ChatRequest(messages: [.user("hi")]))
        #expect(!http.description.contains("sk-test-123456"))
        #expect(http.description.contains("x-api-key: <redacted>"))
    }
}
