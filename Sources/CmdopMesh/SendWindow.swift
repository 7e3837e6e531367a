import Foundation

/// Bounds the bytes queued on a stream by a fast producer on a thread of its own (command output):
/// `reserve` blocks that thread while the queue is over its limit, so output waits for the network
/// instead of filling memory and starving heartbeats.
final class SendWindow: @unchecked Sendable {
    private let condition = NSCondition()
    private var queued = 0
    private var closed = false
    private var progressAt = ContinuousClock.now
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Waits (blocking) until `bytes` fit, then counts them. False when the stream has closed.
    func reserve(_ bytes: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queued > 0 && queued + bytes > limit && !closed { condition.wait() }
        guard !closed else { return false }
        queued += bytes
        return true
    }

    /// Counts `bytes` without waiting (frames from async code).
    func add(_ bytes: Int) {
        condition.lock()
        queued += bytes
        condition.unlock()
    }

    /// The writer sent `bytes`.
    func release(_ bytes: Int) {
        condition.lock()
        queued -= bytes
        progressAt = .now
        condition.broadcast()
        condition.unlock()
    }

    /// When the writer last got a frame out: the other side is accepting data.
    var lastProgress: ContinuousClock.Instant {
        condition.lock()
        defer { condition.unlock() }
        return progressAt
    }

    /// Wakes every waiter for good: the stream is gone.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
