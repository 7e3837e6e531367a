/// Splits a byte stream into lines at `\n` (dropping a `\r` before it), whatever the chunk boundaries.
///
/// Lines are only formed from complete bytes, so a UTF-8 sequence split across chunks is reassembled before any
/// decoding happens.
struct LineSplitter {
    private var pending: [UInt8] = []
    /// Longest line accepted before the stream is declared malformed.
    let maxLineLength: Int

    init(maxLineLength: Int = 16 << 20) { self.maxLineLength = maxLineLength }

    /// Calls `body` with each line `chunk` completes.
    mutating func feed(_ chunk: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try chunk.withUnsafeBufferPointer { bytes in
            var start = 0
            while let newline = Self.firstNewline(in: bytes, from: start) {
                if pending.isEmpty {
                    try body(Self.trimCR(UnsafeBufferPointer(rebasing: bytes[start..<newline])))
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<newline]))
                    let line = pending
                    pending.removeAll(keepingCapacity: true)
                    try line.withUnsafeBufferPointer { try body(Self.trimCR($0)) }
                }
                start = newline + 1
            }
            if start < bytes.count {
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
                if pending.count > maxLineLength {
                    throw LineTooLong(limit: maxLineLength)
                }
            }
        }
    }

    /// Calls `body` with the unterminated last line, if any.
    mutating func finish(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard !pending.isEmpty else { return }
        let line = pending
        pending.removeAll()
        try line.withUnsafeBufferPointer { try body(Self.trimCR($0)) }
    }

    /// Whether bytes of an unterminated line are buffered.
    var hasPending: Bool { !pending.isEmpty }

    private static func firstNewline(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            if bytes[index] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    private static func trimCR(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        if let last = line.last, last == 0x0D { return UnsafeBufferPointer(rebasing: line.dropLast()) }
        return line
    }

    struct LineTooLong: Error {
        let limit: Int
    }
}
