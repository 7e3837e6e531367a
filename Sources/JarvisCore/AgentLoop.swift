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
    /// Where each turn and tool call is written before its effect; nil runs without one.
    public let journal: (any RunJournaling)?

    public init(provider: any LLMProvider, tools: [any JarvisTool], budget: RunBudget = RunBudget(),
                model: String? = nil, temperature: Double = ChatRequest.defaultTemperature,
                journal: (any RunJournaling)? = nil) {
        self.provider = provider
        self.tools = tools
        self.budget = budget
        self.model = model
        self.temperature = temperature
        self.journal = journal
    }

    /// Runs the conversation `messages` under `system` until an answer or a spent budget.
    /// - Parameter onEvent: tokens, tool activity and usage as they happen.
    public func run(system: String, messages: [ChatMessage],
                    onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }) async -> RunResult {
        await resume(RunCheckpoint(messages: [.system(system)] + messages, turns: 0), onEvent: onEvent)
    }

    /// Continues a run from its journal's checkpoint: tool calls of the last turn that have no
    /// result yet run first — those already finished are not repeated, and one whose effect began
    /// but was never recorded is reported to the model as interrupted instead of run again.
    public func resume(_ checkpoint: RunCheckpoint,
                       onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }) async -> RunResult {
        let deadline = ContinuousClock.now + budget.maxWallTime
        var state = RunState(history: checkpoint.messages, turns: checkpoint.turns, inputTokens: checkpoint.inputTokens,
                             outputTokens: checkpoint.outputTokens, cost: checkpoint.cost)
        let answered = Set(state.history.compactMap(\.toolCallID))
        if let last = state.history.last, last.role == .assistant {
            let open = last.toolCalls.filter { !answered.contains($0.id) }
            await appendResults(of: open, to: &state, onEvent: onEvent)
        }
        while true {
            if let stop = spent(state, deadline: deadline) { return finish(state, stop) }
            state.turns += 1
            let request = ChatRequest(model: model, messages: History.droppingOrphanToolCalls(state.history),
                                      tools: tools.map(\.definition), temperature: temperature,
                                      maxTokens: budget.maxTokensPerTurn)
            let reply: ModelReply
            do {
                guard let answer = try await Self.call(provider, request, until: deadline, onEvent: onEvent) else {
                    return finish(state, .timeSpent)
                }
                reply = answer
            } catch is CancellationError {
                return state.result(.cancelled)
            } catch {
                return finish(state, .modelFailed("\(error)"))
            }
            state.account(reply.usage)
            state.history.append(.assistant(reply.text, toolCalls: reply.calls))
            // Audited before it is journalled: a crash between the two leaves the output on record
            // (a resumed run then asks the model again), never calls without the output that made them.
            onEvent(.modelTurn(ModelTurn(number: state.turns, text: reply.text, calls: reply.calls)))
            journal?.turnRecorded(messages: state.history, turns: state.turns, inputTokens: state.inputTokens,
                                  outputTokens: state.outputTokens, cost: state.cost)
            guard !reply.calls.isEmpty else { return finish(state, .answered, answer: reply.text) }
            await appendResults(of: reply.calls, to: &state, onEvent: onEvent)
        }
    }

    private func appendResults(of calls: [ToolCall], to state: inout RunState,
                               onEvent: @escaping @Sendable (RunEvent) -> Void) async {
        guard !calls.isEmpty else { return }
        let outcomes = await runTools(calls, onEvent: onEvent)
        for (call, outcome) in zip(calls, outcomes) {
            state.history.append(.toolResult(for: call, content: outcome.content, isError: outcome.isError))
        }
    }

    private func finish(_ state: RunState, _ stop: RunStop, answer: String = "") -> RunResult {
        // A cancelled run is left open in the journal: it is resumed, not ended.
        if stop != .cancelled { journal?.runFinished(stop, answer: answer, messages: state.history) }
        return state.result(stop, answer: answer)
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
                    let outcome = await runJournaled(call, tool: byName[call.name], names: names, onEvent: onEvent)
                    return (index, outcome)
                }
            }
            var outcomes = [ToolOutcome?](repeating: nil, count: calls.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.map { $0 ?? .failure("the tool did not finish") }
        }
    }

    /// One tool call under the journal's rules: a finished call is not repeated; a call whose effect
    /// began but was not recorded is not repeated either (unless it only reads) — the model hears
    /// that its outcome is unknown.
    private func runJournaled(_ call: ToolCall, tool: (any JarvisTool)?, names: String,
                              onEvent: @escaping @Sendable (RunEvent) -> Void) async -> ToolOutcome {
        switch journal?.state(of: call.id) ?? .unseen {
        case .finished(let outcome):
            return outcome
        case .effectBegun where tool?.isReadOnly != true:
            let outcome = ToolOutcome.failure(
                "interrupted: \(call.name) reached the machine but jarvis restarted before its result was recorded; "
                    + "its outcome is unknown — check the machine's state before doing it again")
            journal?.toolFinished(call.id, outcome: outcome)
            onEvent(.toolFinished(call, outcome))
            return outcome
        default:
            break
        }
        journal?.toolStarted(call.id)
        onEvent(.toolStarted(call))
        let outcome: ToolOutcome
        if let tool {
            if let arguments = call.arguments.json {
                let journal = self.journal
                let context = ToolContext(onBegin: { journal?.effectBegan(call.id) },
                                          onReport: { onEvent(.toolProgress(call, $0)) })
                outcome = await tool.run(arguments, context: context)
            } else {
                outcome = .failure("the arguments of \(call.name) were not valid JSON (\(call.arguments.text)); call it again with a JSON object")
            }
        } else {
            outcome = .failure("there is no tool named \(call.name); the tools are: \(names)")
        }
        // A run stopped mid-call (jarvis shutting down) records nothing: on resume the call is redone.
        guard !Task.isCancelled else { return outcome }
        journal?.toolFinished(call.id, outcome: outcome)
        onEvent(.toolFinished(call, outcome))
        return outcome
    }
}
