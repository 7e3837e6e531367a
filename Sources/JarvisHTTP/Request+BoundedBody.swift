import Hummingbird

extension Request {
    /// How much of an oversized body is still read (and thrown away) before answering, as nginx's
    /// lingering close does: enough for a sender that writes its whole body before it reads the
    /// answer. The bound is in bytes; a sender past it blocks as before, and a slow one is not cut
    /// off by time (the server has no idle timeout: its event streams are long-lived).
    static let drainAllowance = 64 << 20

    /// The body when it is at most `limit` bytes; nil when it is larger.
    ///
    /// A larger body is still read and dropped, up to `limit` + ``drainAllowance`` bytes in all, so a
    /// sender that writes the whole body before reading (urllib, curl, CI senders with
    /// `Connection: close`) gets the 413 instead of blocking on a full socket until it times out.
    mutating func collectBody(upTo limit: Int, draining: Bool) async throws -> ByteBuffer? {
        var collected = ByteBuffer()
        var total = 0
        let drainLimit = limit + Self.drainAllowance
        for try await chunk in body {
            total += chunk.readableBytes
            if total <= limit {
                var chunk = chunk
                collected.writeBuffer(&chunk)
            } else if !draining || total > drainLimit {
                return nil
            }
        }
        guard total <= limit else { return nil }
        body = RequestBody(buffer: collected)
        return collected
    }

    /// Reads and drops the body (up to ``drainAllowance`` bytes) before a refusal that does not need it.
    mutating func discardBody() async {
        _ = try? await collectBody(upTo: 0, draining: true)
    }
}
