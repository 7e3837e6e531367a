/// The head of an HTTP response and its body as a stream of chunks.
public struct HTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Header fields in arrival order; look them up with ``header(_:)``.
    public var headers: [(name: String, value: String)]
    /// The body, chunk by chunk as the network delivered it.
    public var body: HTTPBody

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: HTTPBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// A response body: an async sequence of byte chunks with the boundaries the network produced.
///
/// The producer side reports consumed bytes through `onConsumed`, which a transport uses to bound the memory of
/// unread chunks (it pauses the transfer above a high-water mark and resumes it when the reader catches up).
public struct HTTPBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    private let chunks: AsyncThrowingStream<[UInt8], any Error>
    private let onConsumed: (@Sendable (Int) -> Void)?

    /// Wraps a stream of chunks.
    /// - Parameters:
    ///   - chunks: the body chunks; the stream ends by finishing or by throwing a ``ProviderError``.
    ///   - onConsumed: called with each chunk's size when the reader takes it.
    public init(_ chunks: AsyncThrowingStream<[UInt8], any Error>, onConsumed: (@Sendable (Int) -> Void)? = nil) {
        self.chunks = chunks
        self.onConsumed = onConsumed
    }

    /// A body holding `bytes` as one chunk.
    public static func bytes(_ bytes: [UInt8]) -> HTTPBody {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        if !bytes.isEmpty { continuation.yield(bytes) }
        continuation.finish()
        return HTTPBody(stream)
    }

    /// Iterates the chunks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let onConsumed: (@Sendable (Int) -> Void)?

        public mutating func next() async throws -> [UInt8]? {
            let chunk = try await base.next()
            if let chunk, let onConsumed { onConsumed(chunk.count) }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: chunks.makeAsyncIterator(), onConsumed: onConsumed)
    }

    /// Reads the whole body, failing when it exceeds `limit` bytes.
    /// - Throws: the transport's ``ProviderError``, or a `.decoding` error past the limit.
    public func collect(upTo limit: Int = 32 << 20) async throws -> [UInt8] {
        var result: [UInt8] = []
        for try await chunk in self {
            result.append(contentsOf: chunk)
            if result.count > limit {
                throw ProviderError(
                    code: .decoding,
                    message: "The response body is larger than \(limit) bytes; the server is not answering as an "
                        + "LLM API would. Check the base URL.")
            }
        }
        return result
    }
}
