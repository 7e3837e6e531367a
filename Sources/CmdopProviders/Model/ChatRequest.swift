/// A provider-neutral chat request.
public struct ChatRequest: Sendable, Hashable {
    /// The model; `nil` uses the provider's `defaultModel`.
    public var model: String?
    /// The conversation so far.
    public var messages: [ChatMessage]
    /// Tools the model may call.
    public var tools: [ToolDefinition]
    /// Whether and which tool the model must call (ignored without tools).
    public var toolChoice: ToolChoice
    /// Sampling temperature (cmdop's agent loop uses 0.3).
    public var temperature: Double?
    /// Maximum tokens to generate (Anthropic requires one; 4096 is sent when `nil`).
    public var maxTokens: Int?
    /// Sequences that stop generation.
    public var stop: [String]
    /// Sampling seed, where the server supports one.
    public var seed: Int?

    /// The agent loop's default temperature.
    public static let defaultTemperature = 0.3

    /// Creates a request.
    public init(
        model: String? = nil, messages: [ChatMessage], tools: [ToolDefinition] = [], toolChoice: ToolChoice = .auto,
        temperature: Double? = ChatRequest.defaultTemperature, maxTokens: Int? = nil, stop: [String] = [],
        seed: Int? = nil
    ) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.stop = stop
        self.seed = seed
    }
}
