/// A response the ``FakeLLMServer`` replays byte for byte: status, headers, body chunks with the boundaries and
/// delays the test chose, and how the exchange ends.
public struct ScriptedResponse: Sendable {
    /// One write of body bytes, preceded by a pause.
    public struct Chunk: Sendable {
        /// The bytes, written in one flush.
        public var bytes: [UInt8]
        /// Pause before writing them.
        public var delay: Duration

        /// Creates a chunk.
        public init(_ bytes: [UInt8], delay: Duration = .zero) {
            self.bytes = bytes
            self.delay = delay
        }

        /// Creates a chunk from text.
        public init(_ text: String, delay: Duration = .zero) { self.init(Array(text.utf8), delay: delay) }
    }

    /// How the exchange ends after the chunks.
    public enum Ending: Sendable {
        /// The body ends normally.
        case complete
        /// The server closes the connection without ending the body (a broken stream).
        case disconnect
        /// The server keeps the connection open and silent for the given time, then ends the body.
        case stall(Duration)
    }

    /// Status code.
    public var status: Int
    /// Header fields (`content-length` is added for non-chunked replies only).
    public var headers: [(name: String, value: String)]
    /// Body chunks.
    public var chunks: [Chunk]
    /// How the exchange ends.
    public var ending: Ending
    /// Whether to send `content-length` instead of chunked transfer encoding.
    public var fixedLength: Bool
    /// Pause before the status line and headers (a server busy with a long prompt).
    public var headDelay: Duration = .zero

    /// Creates a scripted response.
    public init(
        status: Int = 200, headers: [(name: String, value: String)] = [], chunks: [Chunk] = [],
        ending: Ending = .complete, fixedLength: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.ending = ending
        self.fixedLength = fixedLength
    }

    /// A JSON reply with `content-length`.
    public static func json(_ body: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> ScriptedResponse {
        ScriptedResponse(
            status: status, headers: [("content-type", "application/json")] + headers, chunks: [Chunk(body)],
            fixedLength: true)
    }

    /// A streamed reply of `body` cut into chunks at the given byte offsets, each chunk after `delay`.
    /// - Parameters:
    ///   - body: the full stream bytes (SSE or NDJSON).
    ///   - contentType: `text/event-stream` or `application/x-ndjson`.
    ///   - splitAt: byte offsets where a chunk ends (any offsets, e.g. inside JSON or a UTF-8 sequence).
    ///   - delay: pause before each chunk.
    ///   - ending: how the stream ends.
    public static func stream(
        _ body: [UInt8], contentType: String = "text/event-stream", splitAt: [Int] = [], delay: Duration = .zero,
        ending: Ending = .complete
    ) -> ScriptedResponse {
        var chunks: [Chunk] = []
        var start = 0
        for offset in splitAt.sorted() where offset > start && offset < body.count {
            chunks.append(Chunk(Array(body[start..<offset]), delay: delay))
            start = offset
        }
        if start < body.count { chunks.append(Chunk(Array(body[start...]), delay: delay)) }
        return ScriptedResponse(
            status: 200, headers: [("content-type", contentType), ("cache-control", "no-cache")], chunks: chunks,
            ending: ending)
    }

    /// A streamed reply cut into chunks of `size` bytes.
    public static func stream(
        _ body: [UInt8], contentType: String = "text/event-stream", chunkSize size: Int, delay: Duration = .zero,
        ending: Ending = .complete
    ) -> ScriptedResponse {
        stream(
            body, contentType: contentType, splitAt: Array(stride(from: size, to: body.count, by: max(1, size))),
            delay: delay, ending: ending)
    }

    /// A streamed reply with one chunk per element of `pieces`.
    public static func stream(
        pieces: [String], contentType: String = "text/event-stream", delay: Duration = .zero, ending: Ending = .complete
    ) -> ScriptedResponse {
        ScriptedResponse(
            status: 200, headers: [("content-type", contentType), ("cache-control", "no-cache")],
            chunks: pieces.map { Chunk($0, delay: delay) }, ending: ending)
    }
}

/// A request the ``FakeLLMServer`` received.
public struct RecordedRequest: Sendable {
    /// Method.
    public var method: String
    /// Path including the query.
    public var path: String
    /// Header fields.
    public var headers: [(name: String, value: String)]
    /// Body bytes.
    public var body: [UInt8]

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
