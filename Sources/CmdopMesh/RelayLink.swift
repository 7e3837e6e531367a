import CmdopCore
import CmdopProtocol

/// An authenticated, live `Connect` stream to the relay.
///
/// `send` never blocks: frames queue in order and one writer drains them. `sendBlocking` is for
/// producers on their own threads (command output): it waits while the queue is over its limit.
/// `frames` yields every frame after the Welcome and finishes (or throws) when the stream ends.
/// Read it from one task.
public final class RelayLink: Sendable {
    public let welcome: Cmdop_Agent_V1_Welcome
    public let frames: AsyncThrowingStream<Frame, any Error>
    let outbound: AsyncStream<Frame>.Continuation
    let window: SendWindow

    init(welcome: Cmdop_Agent_V1_Welcome, frames: AsyncThrowingStream<Frame, any Error>,
         outbound: AsyncStream<Frame>.Continuation, window: SendWindow) {
        self.welcome = welcome
        self.frames = frames
        self.outbound = outbound
        self.window = window
    }

    /// Queues `frame` for the relay. Frames sent after the stream closed are dropped.
    public func send(_ frame: Frame) {
        window.add(frame.estimatedSize)
        outbound.yield(frame)
    }

    /// Queues `frame`, first waiting (blocking this thread) while more than the window is queued.
    /// Only for threads of their own, never for the Swift concurrency pool.
    public func sendBlocking(_ frame: Frame) {
        guard window.reserve(frame.estimatedSize) else { return }
        outbound.yield(frame)
    }

    /// When a queued frame last went out to the relay (it is alive even if it has nothing to say).
    public var lastSendProgress: ContinuousClock.Instant { window.lastProgress }

    /// Ends the sending side; the relay then ends the stream.
    public func close() {
        window.close()
        outbound.finish()
    }
}
