/// Frames a `text/event-stream` body into events (`event:` name and joined `data:` lines).
struct SSEDecoder {
    /// One server-sent event.
    struct Event {
        var name: String?
        var data: [UInt8]
    }

    private var lines = LineSplitter()
    private var name: String?
    private var data: [UInt8] = []
    private var hasData = false

    /// Calls `body` with each event `chunk` completes.
    mutating func feed(_ chunk: [UInt8], _ body: (Event) throws -> Void) throws {
        var framer = LineSplitter()
        swap(&framer, &lines)
        defer { swap(&framer, &lines) }
        try framer.feed(chunk) { line in try self.handle(line, body) }
    }

    /// Dispatches a final event that lacked its blank line.
    mutating func finish(_ body: (Event) throws -> Void) throws {
        var framer = LineSplitter()
        swap(&framer, &lines)
        defer { swap(&framer, &lines) }
        try framer.finish { line in try self.handle(line, body) }
        if hasData { try dispatch(body) }
    }

    private mutating func handle(_ line: UnsafeBufferPointer<UInt8>, _ body: (Event) throws -> Void) throws {
        if line.isEmpty {
            if hasData { try dispatch(body) } else { name = nil }
            return
        }
        if line[0] == UInt8(ascii: ":") { return }  // comment / keep-alive
        var colon = 0
        while colon < line.count, line[colon] != UInt8(ascii: ":") { colon += 1 }
        let field = UnsafeBufferPointer(rebasing: line[0..<colon])
        var valueStart = min(colon + 1, line.count)
        if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = UnsafeBufferPointer(rebasing: line[valueStart...])
        if field.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            name = String(decoding: value, as: UTF8.self)
        }
    }

    private mutating func dispatch(_ body: (Event) throws -> Void) throws {
        let event = Event(name: name, data: data)
        name = nil
        data.removeAll(keepingCapacity: true)
        hasData = false
        try body(event)
    }
}
