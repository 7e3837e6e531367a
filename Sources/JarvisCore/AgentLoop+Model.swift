public import CmdopProviders

/// One model reply, gathered from its event stream.
struct ModelReply: Sendable {
    var text = ""
    var calls: [ToolCall] = []
    var usage: CallUsage?
}

/// The running totals of one run.
struct RunState {
    var history: [ChatMessage]
    var turns = 0
    var inputTokens = 0
    var outputTokens = 0
    var cost = 0.0

    mutating func account(_ usage: CallUsage?) {
        guard let usage else { return }
        inputTokens += usage.tokens.inputTokens
        outputTokens += usage.tokens.outputTokens
        cost += usage.cost
    }

    func result(_ stop: RunStop, answer: String = "") -> RunResult {
        RunResult(answer: answer, stop: stop, messages: history, turns: turns, inputTokens: inputTokens,
                  outputTokens: outputTokens, cost: cost)
    }
}

extension AgentLoop {
    /// Streams one model call, forwarding tokens; nil when the deadline came first.
    static func call(_ provider: any LLMProvider, _ request: ChatRequest, until deadline: ContinuousClock.Instant,
                     onEvent: @escaping @Sendable (RunEvent) -> Void) async throws -> ModelReply? {
        try await withThrowingTaskGroup(of: ModelReply?.self) { group in
            group.addTask {
                var reply = ModelReply()
                for try await event in provider.stream(request) {
                    switch event {
                    case .textDelta(let text):
                        reply.text += text
                        onEvent(.token(text))
                    case .toolCall(let call): reply.calls.append(call)
                    case .usage(let usage):
                        reply.usage = usage
                        onEvent(.usage(usage))
                    case .stop: continue
                    }
                }
                return reply
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}
