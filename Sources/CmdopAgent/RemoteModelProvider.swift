import CmdopCore
import CmdopMesh
import CmdopProtocol
import CmdopProviders
import JarvisCore

/// The model of an ask loop on an agent: every call goes over the relay to the jarvis that asked,
/// which serves it from its own provider layer under the ask's grant. Agents hold no provider keys.
struct RemoteModelProvider: LLMProvider {
    let channel: RequestChannel
    /// The asking jarvis's hostname.
    let jarvis: String
    let grant: String
    /// The whole ask's deadline; no model call outlives it.
    let deadline: ContinuousClock.Instant

    var name: String { "jarvis:\(jarvis)" }

    func stream(_ request: ChatRequest) -> LLMEventStream {
        LLMEventStream { [channel, jarvis, grant, deadline] in
            var call = Cmdop_Agent_V1_ModelRequest()
            call.grant = grant
            call.requestJson = ModelCallCodec.encode(request)
            let remaining = max(deadline - .now, .milliseconds(1))
            let events = channel.send(target: jarvis, timeoutMs: Int(remaining.wholeMilliseconds), .model(call))
                .events(deadline: remaining)
            var iterator = events.makeAsyncIterator()
            return {
                while let event = try await iterator.next() {
                    if case .model(let model) = event.payload { return try ModelCallCodec.decodeEvent(model.eventJson) }
                }
                return nil
            }
        }
    }

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        try await stream(request).collect()
    }

    func listModels() async throws -> [String] { [] }
}
