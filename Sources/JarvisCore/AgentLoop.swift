public import CmdopProviders

/// jarvis's agent loop: the model is called with the tools, every tool call it makes runs (in
/// parallel), the results go back, and this repeats until it answers without tools or a budget
/// (turns, tokens, cost, wall time) is spent.
///
/// ```swift
/// let loop = AgentLoop(provider: provider, tools: fleetTools, budget: RunBudget(maxTurns: 8))
/// let result = await loop.run(system: prompt, messages: [.user("Is web-1 healthy?")]) { event in … }
/// ```
public struct AgentLoop: Sendable {
    public let provider: any LLMProvider
    public let tools: [any JarvisTool]
    public let budget: RunBudget
    public let model: String?
    public let temperature: Double

    public init(provider: any LLMProvider, tools: [any JarvisTool], budget: RunBudget = RunBudget(),
                model: String? = nil, temperature: Double = ChatRequest.defaultTemperature) {
        self.provider = provider
        self.tools = tools
        self.budget = budget
        self.model = model
        self.temperature = temperature
    }

    /// Runs the conversation `messages` under `system` until an answer or a spent budget.
    /// - Parameter onEvent: tokens, tool activity and usage as they happen.
    public func run(system: String, messages: [ChatMessage],
                    onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }) async -> RunResult {
        let deadline = ContinuousClock.now + budget.maxWallTime
        var state = RunState(history: [.system(system)] + messages)
        while true {
            if let stop = spent(state, deadline: deadline) { return state.result(stop) }
            state.turns += 1
            let request = ChatRequest(model: model, messages: History.droppingOrphanToolCalls(state.history),
                                      tools: tools.map(\.definition), temperature: temperature)
            let reply: ModelReply
            do {
                guard let answer = try await Self.call(provider, request, until: deadline, onEvent: onEvent) else {
                    return state.result(.timeSpent)
                }
                reply = answer
            } catch is CancellationError {
                return state.result(.cancelled)
            } catch {
                return state.result(.modelFailed("\(error)"))
            }
            state.account(reply.usage)
            state.history.append(.assistant(reply.text, toolCalls: reply.calls))
            guard !reply.calls.isEmpty else { return state.result(.answered, answer: reply.text) }
            let outcomes = await runTools(reply.calls, onEvent: onEvent)
            for (call, outcome) in zip(reply.calls, outcomes) {
                state.history.append(.toolResult(for: call, content: outcome.content, isError: outcome.isError))
            }
        }
    }

    /// The budget that is spent, if any, before the next model call.
    private func spent(_ state: RunState, deadline: ContinuousClock.Instant) -> RunStop? {
        if Task.isCancelled { return .cancelled }
        if state.turns >= budget.maxTurns { return .turnsSpent }
        if let limit = budget.maxTokens, state.inputTokens + state.outputTokens >= limit { return .tokensSpent }
        if let limit = budget.maxCost, state.cost >= limit { return .costSpent }
        if ContinuousClock.now >= deadline { return .timeSpent }
        return nil
    }

    /// Runs every call of one turn in parallel; outcomes come back in the calls' order.
    private func runTools(_ calls: [ToolCall], onEvent: @escaping @Sendable (RunEvent) -> Void) async -> [ToolOutcome] {
        let byName = Dictionary(tools.map { ($0.definition.name, $0) }, uniquingKeysWith: { first, _ in first })
        let names = byName.keys.sorted().joined(separator: ", ")
        return await withTaskGroup(of: (Int, ToolOutcome).self) { group in
            for (index, call) in calls.enumerated() {
                group.addTask {
                    onEvent(.toolStarted(call))
                    let outcome: ToolOutcome
                    if let tool = byName[call.name] {
                        if let arguments = call.arguments.json {
                            outcome = await tool.run(arguments)
                        } else {
                            outcome = .failure("the arguments of \(call.name) were not valid JSON (\(call.arguments.text)); call it again with a JSON object")
                        }
                    } else {
                        outcome = .failure("there is no tool named \(call.name); the tools are: \(names)")
                    }
                    onEvent(.toolFinished(call, outcome))
                    return (index, outcome)
                }
            }
            var outcomes = [ToolOutcome?](repeating: nil, count: calls.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.map { $0 ?? .failure("the tool did not finish") }
        }
    }
}
