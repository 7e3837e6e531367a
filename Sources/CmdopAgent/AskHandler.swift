import CmdopCore
import CmdopMesh
import CmdopProtocol
import CmdopProviders
import Foundation
import JarvisCore

/// Serves `ask` on a machine: the prompt runs through this machine's own agent loop with its local
/// tools (each gated by its own permissions.yaml and audited), and the loop's model calls go back
/// to the jarvis that asked. Tokens and tool activity stream to the asker as they happen.
struct AskHandler: Sendable {
    static let defaultMaxTurns = 10

    let operations: OperationHandler
    let os: String

    func run(_ ask: Cmdop_Agent_V1_AskRequest, request: Cmdop_Agent_V1_Request, channel: RequestChannel,
             send: @escaping @Sendable (Frame) -> Void) async throws -> Cmdop_Agent_V1_AskResult {
        guard request.origin.hasPrefix("jarvis:") else {
            throw MeshError(.invalidArgument, "ask needs a jarvis as the asker (its model serves the loop); ask through jarvis's ask_machine")
        }
        guard !ask.prompt.trimmingWhitespace().isEmpty else { throw MeshError(.invalidArgument, "ask needs a prompt") }
        guard !ask.modelGrant.isEmpty else { throw MeshError(.invalidArgument, "ask needs a model grant from jarvis") }
        let jarvis = String(request.origin.dropFirst("jarvis:".count))
        let timeout = Duration.milliseconds(Timeouts.singleCall(milliseconds: Int(request.timeoutMs)))
        let maxTurns = ask.maxTurns == 0 ? Self.defaultMaxTurns : min(max(Int(ask.maxTurns), 1), 50)
        let provider = RemoteModelProvider(channel: channel, jarvis: jarvis, grant: ask.modelGrant,
                                           deadline: .now + timeout)
        let loop = AgentLoop(provider: provider, tools: LocalTools.all(operations: operations, request: request),
                             budget: RunBudget(maxTurns: maxTurns, maxWallTime: timeout))
        let id = request.requestID
        let result = await loop.run(system: systemPrompt(asker: jarvis), messages: [.user(ask.prompt)]) { event in
            var activity = Cmdop_Agent_V1_AskActivity()
            switch event {
            case .token(let text): activity.kind = .textDelta(text)
            case .toolStarted(let call): activity.kind = .toolStarted(Self.activity(call))
            case .toolFinished(let call, let outcome):
                var finished = Self.activity(call)
                finished.result = String(outcome.content.prefix(4096))
                finished.isError = outcome.isError
                activity.kind = .toolFinished(finished)
            case .usage, .toolProgress, .modelTurn: return
            }
            var wire = Cmdop_Agent_V1_Event()
            wire.requestID = id
            wire.payload = .ask(activity)
            send(.with(.event(wire)))
        }
        if Task.isCancelled { throw MeshError(.cancelled, "the ask was cancelled") }
        if case .modelFailed(let reason) = result.stop {
            // jarvis refusing the grant (spent, expired) is a refusal, not an outage.
            if reason.contains("permission_denied") {
                throw MeshError(.permissionDenied, "jarvis refused \(operations.hostname)'s model call: \(reason)")
            }
            throw MeshError(.unavailable, "\(operations.hostname)'s loop could not reach jarvis's model: \(reason)")
        }
        var reply = Cmdop_Agent_V1_AskResult()
        reply.text = result.answer
        reply.stop = "\(result.stop)"
        reply.turns = UInt32(result.turns)
        reply.toolCalls = result.messages.flatMap(\.toolCalls).map(\.name)
        reply.inputTokens = UInt64(result.inputTokens)
        reply.outputTokens = UInt64(result.outputTokens)
        return reply
    }

    private static func activity(_ call: ToolCall) -> Cmdop_Agent_V1_ToolActivity {
        var activity = Cmdop_Agent_V1_ToolActivity()
        activity.callID = call.id
        activity.name = call.name
        activity.arguments = call.arguments.text
        return activity
    }

    private func systemPrompt(asker: String) -> String {
        """
        You are the cmdop agent on the machine \(operations.hostname) (\(os)). \(asker), the fleet's \
        assistant, asks you the question below. Answer it about this machine, using your tools to look \
        rather than guessing: execute_command runs a shell command here, read_file reads a file, list_dir \
        lists a directory. This machine's own permissions decide every call; when one is refused, say so \
        and answer with what you could find. Reply briefly and concretely. Now: \
        \(ISO8601DateFormatter().string(from: Date())).
        """
    }
}
