/// The streamed reply of an ``LLMProvider``: an async sequence of ``LLMEvent``s that throws ``ProviderError``.
///
/// Work happens lazily inside the iterating task (no extra task or buffer between the network and the caller),
/// so cancelling that task cancels the transfer, and a wrapper can tell exactly whether output reached its caller.
public struct LLMEventStream: AsyncSequence, Sendable {
    public typealias Element = LLMEvent

    /// Produces the next event, or `nil` at the end.
    public typealias Next = () async throws -> LLMEvent?

    private let start: @Sendable () -> Next

    /// Creates a stream from a factory that returns a fresh `next` function per iteration.
    public init(_ start: @escaping @Sendable () -> Next) { self.start = start }

    /// A stream that fails at once.
    public static func failing(_ error: any Error) -> LLMEventStream {
        LLMEventStream { { throw error } }
    }

    /// Iterates the events.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let nextEvent: Next

        public mutating func next() async throws -> LLMEvent? { try await nextEvent() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(nextEvent: start()) }

    /// Collects the whole reply.
    public func collect() async throws -> ChatResponse {
        var events: [LLMEvent] = []
        for try await event in self { events.append(event) }
        return ChatResponse(events: events)
    }
}
