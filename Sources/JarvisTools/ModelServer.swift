public import CmdopMesh
public import CmdopProtocol
import CmdopCore
public import CmdopProviders
import Foundation
import JarvisCore

/// jarvis as the fleet's model router: serves the model calls of the ask loops it started on
/// machines, from its own provider layer, under each ask's grant, and counts the spend per machine.
/// Pass ``handle(_:reply:)`` as the `serving` handler of jarvis's `MeshClient`.
public struct ModelServer: Sendable {
    public let provider: any LLMProvider
    public let grants: ModelGrants

    public init(provider: any LLMProvider, grants: ModelGrants) {
        self.provider = provider
        self.grants = grants
    }

    /// Serves one inbound request: a `model` call, or a refusal for anything else.
    @Sendable public func handle(_ request: Cmdop_Agent_V1_Request, reply: @escaping @Sendable (Frame) -> Void) async {
        let id = request.requestID
        guard case .model(let call) = request.operation else {
            return reply(.error(MeshError(.invalidArgument, "jarvis serves only model calls from its asks"), requestID: id))
        }
        let started = ContinuousClock.now
        do {
            // The relay sets the origin; a machine cannot claim to be another.
            guard request.origin.hasPrefix("machine:") else {
                throw MeshError(.permissionDenied, "model calls are served to machines answering an ask")
            }
            let hostname = String(request.origin.dropFirst("machine:".count))
            let grant = try grants.admit(call.grant, hostname: hostname)
            var chat: ChatRequest
            do {
                chat = try ModelCallCodec.decodeRequest(call.requestJson)
            } catch {
                throw MeshError(.invalidArgument, "\(error)")
            }
            // jarvis picks the model and bounds the spend; the machine cannot choose either.
            chat.model = nil
            chat.maxTokens = min(chat.maxTokens ?? grant.maxTokens, grant.maxTokens)
            for try await received in provider.stream(chat) {
                var event = received
                if case .usage(let usage) = event { grants.record(usage, for: hostname) }
                // jarvis's gate holds inside an ask too: a refused tool call never reaches the machine.
                if case .toolCall(let toolCall) = event, let refusal = grant.screen?(toolCall) {
                    event = .textDelta("\n[jarvis refused \(toolCall.name) \(toolCall.arguments.text): \(refusal)]\n")
                }
                var wire = Cmdop_Agent_V1_Event()
                wire.requestID = id
                var model = Cmdop_Agent_V1_ModelEvent()
                model.eventJson = ModelCallCodec.encode(event)
                wire.payload = .model(model)
                reply(.with(.event(wire)))
            }
            var done = Cmdop_Agent_V1_Done()
            done.requestID = id
            done.durationMs = (ContinuousClock.now - started).wholeMilliseconds
            done.result = .model(.init())
            reply(.with(.done(done)))
        } catch is CancellationError {
            return
        } catch let error as MeshError {
            reply(.error(error, requestID: id))
        } catch {
            if Task.isCancelled { return }
            reply(.error(MeshError(.unavailable, "jarvis's model failed: \(error)"), requestID: id))
        }
    }
}
