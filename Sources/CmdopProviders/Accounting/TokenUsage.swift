/// Token counts a server reported for one call.
public struct TokenUsage: Sendable, Hashable {
    /// Prompt tokens (OpenAI `prompt_tokens`, Anthropic `input_tokens` plus cache reads, ollama `prompt_eval_count`).
    public var inputTokens: Int
    /// Generated tokens (OpenAI `completion_tokens`, Anthropic `output_tokens`, ollama `eval_count`).
    public var outputTokens: Int
    /// Prompt tokens served from a cache, where reported.
    public var cachedInputTokens: Int
    /// Time the server spent on the prompt (ollama `prompt_eval_duration`).
    public var promptEvalDuration: Duration?
    /// Time the server spent generating (ollama `eval_duration`).
    public var evalDuration: Duration?

    /// Creates token counts.
    public init(
        inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0, promptEvalDuration: Duration? = nil,
        evalDuration: Duration? = nil
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.promptEvalDuration = promptEvalDuration
        self.evalDuration = evalDuration
    }

    /// Generation speed in tokens per second, when the server reported its generation time.
    public var outputTokensPerSecond: Double? {
        guard let evalDuration, evalDuration > .zero else { return nil }
        return Double(outputTokens) / evalDuration.seconds
    }

    /// Merges a later report into this one (later non-zero counts win; Anthropic's counts are cumulative).
    mutating func merge(_ later: TokenUsage) {
        if later.inputTokens > 0 { inputTokens = later.inputTokens }
        if later.outputTokens > 0 { outputTokens = later.outputTokens }
        if later.cachedInputTokens > 0 { cachedInputTokens = later.cachedInputTokens }
        if let duration = later.promptEvalDuration { promptEvalDuration = duration }
        if let duration = later.evalDuration { evalDuration = duration }
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
