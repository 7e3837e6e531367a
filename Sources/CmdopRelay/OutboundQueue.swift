import CmdopMesh
import Synchronization

/// The frames waiting to be written to one stream, with a cap on the bytes they hold.
///
/// A reader that stops reading (HTTP/2 flow control then stalls the writer) must not make the
/// relay buffer without bound: past `limit` bytes the stream is ended with an error.
final class OutboundQueue: Sendable {
    let frames: AsyncStream<Frame>
    private let continuation: AsyncStream<Frame>.Continuation
    private let queuedBytes = Mutex(0)
    let limit: Int

    init(limit: Int) {
        (frames, continuation) = AsyncStream<Frame>.makeStream()
        self.limit = limit
    }

    /// Queues `frame`; false (and the stream is ended) when the reader is too far behind.
    @discardableResult
    func yield(_ frame: Frame) -> Bool {
        let size = frame.estimatedSize
        let overflow = queuedBytes.withLock { queued in
            queued += size
            return queued > limit
        }
        guard !overflow else {
            continuation.yield(.error(.init(.unavailable, "this stream fell more than \(limit >> 20) MiB behind; read faster or ask for less")))
            continuation.finish()
            return false
        }
        continuation.yield(frame)
        return true
    }

    /// Records that the writer has sent `frame`.
    func written(_ frame: Frame) {
        let size = frame.estimatedSize
        queuedBytes.withLock { $0 -= size }
    }

    func finish() { continuation.finish() }
}
