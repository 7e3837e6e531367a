/// Accounting for one model call: who served it, tokens, cost and wall time.
public struct CallUsage: Sendable, Hashable {
    /// The provider's configured name.
    public var provider: String
    /// The model that served the call.
    public var model: String
    /// Token counts the server reported.
    public var tokens: TokenUsage
    /// Cost in the currency of the configured prices (0 when no price is configured).
    public var cost: Double
    /// Wall time from sending the request to the end of the reply.
    public var wallTime: Duration
    /// Wall time from sending the request to the first text or tool-call event, when there was one.
    public var timeToFirstToken: Duration?

    /// No usage.
    public static let zero = CallUsage(provider: "", model: "", tokens: TokenUsage(), cost: 0, wallTime: .zero)

    /// Creates an accounting record.
    public init(
        provider: String, model: String, tokens: TokenUsage, cost: Double, wallTime: Duration,
        timeToFirstToken: Duration? = nil
    ) {
        self.provider = provider
        self.model = model
        self.tokens = tokens
        self.cost = cost
        self.wallTime = wallTime
        self.timeToFirstToken = timeToFirstToken
    }

    /// The cost of `tokens` at per-million-token prices.
    public static func cost(of tokens: TokenUsage, inputPerMillion: Double, outputPerMillion: Double) -> Double {
        (Double(tokens.inputTokens) * inputPerMillion + Double(tokens.outputTokens) * outputPerMillion) / 1_000_000
    }
}
