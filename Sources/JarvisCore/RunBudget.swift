/// Limits on one run of the agent loop; the run stops, with what it has, when one is spent.
public struct RunBudget: Sendable, Hashable {
    /// Model turns, clamped to 1…50 (default 10).
    public var maxTurns: Int
    /// Input plus output tokens over the whole run; nil for no limit.
    public var maxTokens: Int?
    /// Spend over the whole run, in the providers' price unit; nil for no limit.
    public var maxCost: Double?
    /// Wall time, clamped to 1 s…600 s (default 300 s).
    public var maxWallTime: Duration
    /// Output tokens one model call may generate (default 4,096): a model that never stops
    /// cannot hold a run, or a one-slot local server, for minutes.
    public var maxTokensPerTurn: Int

    public init(maxTurns: Int = 10, maxTokens: Int? = nil, maxCost: Double? = nil,
                maxWallTime: Duration = .seconds(300), maxTokensPerTurn: Int = 4096) {
        self.maxTurns = min(max(maxTurns, 1), 50)
        self.maxTokens = maxTokens
        self.maxCost = maxCost
        self.maxWallTime = min(max(maxWallTime, .seconds(1)), .seconds(600))
        self.maxTokensPerTurn = max(maxTokensPerTurn, 1)
    }
}

/// Why a run ended.
public enum RunStop: Sendable, Hashable {
    /// The model answered without asking for tools.
    case answered
    case turnsSpent
    case tokensSpent
    case costSpent
    case timeSpent
    /// The model could not be reached or failed; the message says why and what to do.
    case modelFailed(String)
    case cancelled
}
