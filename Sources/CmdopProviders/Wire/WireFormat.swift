/// One of the HTTP dialects jarvis speaks; a vendor is a ``ProviderConfig`` that names one.
public protocol WireFormat: Sendable {
    /// Builds the chat request.
    /// - Parameters:
    ///   - request: the neutral request.
    ///   - context: endpoint, key, model and tool-name mapping.
    ///   - stream: whether to ask for a streamed reply.
    /// - Throws: ``ProviderError`` `.badRequest` when the request cannot be expressed in this format.
    func chatRequest(_ request: ChatRequest, context: WireContext, stream: Bool) throws -> HTTPRequest

    /// A decoder for a streamed reply.
    func makeStreamDecoder(context: WireContext) -> any StreamDecoder

    /// Decodes a non-streamed reply.
    /// - Throws: ``ProviderError`` `.decoding`, or the error object the reply carries.
    func decodeResponse(_ body: [UInt8], context: WireContext) throws -> [WireEvent]

    /// The request that lists the server's models.
    func modelsRequest(context: WireContext) -> HTTPRequest

    /// Decodes the model list.
    /// - Throws: ``ProviderError`` `.decoding`.
    func decodeModels(_ body: [UInt8], context: WireContext) throws -> [String]
}

/// What a wire format needs to know about the endpoint and the call.
public struct WireContext: Sendable {
    /// Provider name, for messages.
    public var provider: String
    /// Base URL without a trailing slash.
    public var baseURL: String
    /// The API key, when one is configured (never printed).
    public var apiKey: String?
    /// Name of the environment variable that holds the key, for messages.
    public var apiKeyEnv: String?
    /// The model to call.
    public var model: String
    /// Context window to ask for (ollama `options.num_ctx`).
    public var numCtx: Int?
    /// Maps tool names to the wire charset and back.
    public var names: ToolNameMapper
    /// Timeouts for the call.
    public var timeouts: HTTPRequest.Timeouts

    /// Creates a context.
    public init(
        provider: String, baseURL: String, apiKey: String? = nil, apiKeyEnv: String? = nil, model: String,
        numCtx: Int? = nil, names: ToolNameMapper = ToolNameMapper(names: []),
        timeouts: HTTPRequest.Timeouts = HTTPRequest.Timeouts()
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.provider = provider
        self.baseURL = base
        self.apiKey = apiKey
        self.apiKeyEnv = apiKeyEnv
        self.model = model
        self.numCtx = numCtx
        self.names = names
        self.timeouts = timeouts
    }
}

/// An event as a wire format decodes it, before the provider adds cost and timing.
public enum WireEvent: Sendable, Hashable {
    /// Reply text.
    case text(String)
    /// A complete tool call (name already mapped back).
    case toolCall(ToolCall)
    /// Token counts (later reports refine earlier ones).
    case usage(TokenUsage)
    /// Why the model stopped.
    case stop(StopReason)
}

/// Incrementally decodes a streamed reply; chunks may split lines, JSON and UTF-8 sequences anywhere.
public protocol StreamDecoder {
    /// Decodes the events completed by `chunk`.
    /// - Throws: ``ProviderError`` for malformed data or an error object in the stream.
    mutating func decode(_ chunk: [UInt8]) throws -> [WireEvent]

    /// Decodes what remains at the end of the body.
    /// - Throws: ``ProviderError`` `.network` when the stream ended before the reply was complete.
    mutating func finish() throws -> [WireEvent]
}
