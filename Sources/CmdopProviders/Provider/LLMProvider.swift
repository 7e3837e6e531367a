/// A model endpoint jarvis can talk to: streamed and complete replies, and the model list.
///
/// Implementations: ``WireProvider`` (one configured endpoint), ``RetryingProvider``, ``FallbackProvider``.
public protocol LLMProvider: Sendable {
    /// The provider's name, for logs and accounting.
    var name: String { get }

    /// Streams the reply to `request`.
    ///
    /// Nothing is sent until the stream is iterated. The stream yields ``LLMEvent/textDelta(_:)`` and
    /// ``LLMEvent/toolCall(_:)`` as they complete, then one ``LLMEvent/usage(_:)`` and one ``LLMEvent/stop(_:)``.
    /// Cancelling the iterating task aborts the HTTP transfer.
    /// - Throws (from iteration): ``ProviderError``, any code.
    func stream(_ request: ChatRequest) -> LLMEventStream

    /// Sends `request` without streaming and returns the whole reply.
    /// - Throws: ``ProviderError``, any code.
    func complete(_ request: ChatRequest) async throws -> ChatResponse

    /// Lists the models the endpoint serves.
    /// - Throws: ``ProviderError``: `.network`/`.timeout` when unreachable, `.authentication`, `.decoding`.
    func listModels() async throws -> [String]
}
