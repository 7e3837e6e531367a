/// A stream decoder built on SSE framing: it owns an ``SSEDecoder`` and handles each event.
protocol SSEEventHandler {
    var sse: SSEDecoder { get set }
    mutating func handle(_ event: SSEDecoder.Event) throws
}

extension SSEEventHandler {
    /// Frames `chunk` and handles every event it completes. The framer is moved out of `self`
    /// while it runs, so `handle` may mutate `self`.
    mutating func feedSSE(_ chunk: [UInt8]) throws {
        var framer = SSEDecoder()
        swap(&framer, &sse)
        defer { swap(&framer, &sse) }
        try framer.feed(chunk) { event in try self.handle(event) }
    }

    /// Handles a last event that lacked its closing blank line.
    mutating func finishSSE() throws {
        var framer = SSEDecoder()
        swap(&framer, &sse)
        defer { swap(&framer, &sse) }
        try framer.finish { event in try self.handle(event) }
    }
}
