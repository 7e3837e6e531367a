import CmdopCurl
import CmdopProviders
import CmdopProvidersTesting
import Foundation

/// One real curl transport shared by the whole test run (as one daemon shares one).
let sharedTransport = CurlHTTPTransport()

/// Generous timeouts: a busy machine must not turn a slow answer into a failure (tests of the
/// timeouts themselves set their own).
let testTimeouts = HTTPRequest.Timeouts(connect: .seconds(10), idle: .seconds(15), total: .seconds(45))

/// A port on 127.0.0.1 where nothing listens.
func deadPort() async throws -> Int { DeadPort.port }

/// A loopback port that refuses connections for the whole test run: bound (so no other test's
/// server can take it) but never listening.
private enum DeadPort {
    static let port: Int = {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        precondition(bound, "could not reserve a loopback port for the connection-refused tests")
        return Int(UInt16(bigEndian: address.sin_port))  // the descriptor stays open until exit
    }()
}

/// The base URL a wire format expects for a server root.
func baseURL(_ root: String, _ wire: ProviderConfig.Wire) -> String {
    wire == .openAIChat ? root + "/v1" : root
}

/// The chat path of a wire format on the fake server.
func chatPath(_ wire: ProviderConfig.Wire) -> String {
    switch wire {
    case .ollama: return "/api/chat"
    case .openAIChat: return "/v1/chat/completions"
    case .anthropicMessages: return "/v1/messages"
    }
}

func contentType(_ wire: ProviderConfig.Wire) -> String {
    wire == .ollama ? "application/x-ndjson" : "text/event-stream"
}

/// A provider for `wire` on `server`, with optional price and key.
func makeProvider(
    _ wire: ProviderConfig.Wire, root: String, name: String = "fake", apiKeyEnv: String? = nil,
    environment: [String: String] = [:], breaker: CircuitBreaker? = nil, timeouts: HTTPRequest.Timeouts = testTimeouts,
    priceIn: Double = 0, priceOut: Double = 0
) -> WireProvider {
    WireProvider(
        config: ProviderConfig(
            name: name, wire: wire, baseURL: baseURL(root, wire), apiKeyEnv: apiKeyEnv, defaultModel: "test-model",
            numCtx: wire == .ollama ? 8192 : nil, pricePerMillionInput: priceIn, pricePerMillionOutput: priceOut),
        transport: sharedTransport, environment: environment, breaker: breaker, timeouts: timeouts)
}

/// The weather tool used across tests, plus a dotted MCP-style name that needs mapping.
let weatherTool = ToolDefinition(
    name: "get_weather", description: "Get the current weather for a city",
    parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])
let dottedTool = ToolDefinition(name: "admin.tools.list", description: "List admin tools")

/// Collects a stream into events, returning the error if it failed.
func drain(_ stream: LLMEventStream) async -> (events: [LLMEvent], error: ProviderError?) {
    var events: [LLMEvent] = []
    do {
        for try await event in stream { events.append(event) }
        return (events, nil)
    } catch {
        return (events, error as? ProviderError)
    }
}

extension Array where Element == LLMEvent {
    var text: String {
        compactMap { if case .textDelta(let text) = $0 { return text } else { return nil } }.joined()
    }
    var toolCalls: [ToolCall] {
        compactMap { if case .toolCall(let call) = $0 { return call } else { return nil } }
    }
    var usage: CallUsage? {
        compactMap { if case .usage(let usage) = $0 { return usage } else { return nil } }.last
    }
    var stop: StopReason? {
        compactMap { if case .stop(let reason) = $0 { return reason } else { return nil } }.last
    }
}
