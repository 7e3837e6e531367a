/// The `budget:` of a trigger or webhook: limits the runtime applies to each run it starts.
/// A nil limit means the runtime's default.
public struct RunLimits: Sendable, Hashable {
    /// Model turns, 1…50 (`max_turns`).
    public var maxTurns: Int?
    /// Input plus output tokens over the run (`max_tokens`).
    public var maxTokens: Int?
    /// Spend over the run, in the providers' price unit (`max_cost`).
    public var maxCost: Double?
    /// Wall time, 1…600 s (`timeout`, in seconds).
    public var timeout: Duration?

    /// Creates limits; every one defaults to the runtime's default.
    public init(maxTurns: Int? = nil, maxTokens: Int? = nil, maxCost: Double? = nil, timeout: Duration? = nil) {
        self.maxTurns = maxTurns
        self.maxTokens = maxTokens
        self.maxCost = maxCost
        self.timeout = timeout
    }
}
