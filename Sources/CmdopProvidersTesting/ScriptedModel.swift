public import CmdopProviders
import Foundation

/// A scripted model for agent-loop tests: replies in OpenAI's streaming wire format, byte for
/// byte, served by the ``FakeLLMServer``.
public enum ScriptedModel {
    public static let path = "/v1/chat/completions"

    /// A streamed reply that calls tools: `calls` are (id, name, arguments JSON text).
    public static func toolCalls(_ calls: [(String, String, String)]) -> ScriptedResponse {
        var lines: [String] = []
        for (index, call) in calls.enumerated() {
            let arguments = String(decoding: try! JSONSerialization.data(withJSONObject: call.2, options: .fragmentsAllowed), as: UTF8.self)
            lines.append(#"data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":\#(index),"id":"\#(call.0)","type":"function","function":{"name":"\#(call.1)","arguments":\#(arguments)}}]},"finish_reason":null}]}"#)
        }
        lines.append(#"data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#)
        lines.append(#"data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":10,"total_tokens":60}}"#)
        lines.append("data: [DONE]")
        return .stream(pieces: lines.map { $0 + "\n\n" })
    }

    /// A streamed plain answer.
    public static func answer(_ text: String) -> ScriptedResponse {
        let content = String(decoding: try! JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
        return .stream(pieces: [
            #"data: {"id":"c2","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":\#(content)},"finish_reason":null}]}"# + "\n\n",
            #"data: {"id":"c2","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
            #"data: {"id":"c2","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":80,"completion_tokens":12,"total_tokens":92}}"# + "\n\n",
            "data: [DONE]\n\n",
        ])
    }

    /// A provider speaking to `server` through `transport` (the real libcurl one in tests).
    public static func provider(_ server: FakeLLMServer, transport: any HTTPTransport) -> WireProvider {
        WireProvider(
            config: ProviderConfig(name: "fake", wire: .openAIChat, baseURL: server.baseURL + "/v1", defaultModel: "test-model"),
            transport: transport, environment: [:])
    }
}
