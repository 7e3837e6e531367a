import CmdopCore
import CmdopProtocol

/// An authenticated, live `Connect` stream to the relay.
///
/// `send` never blocks: frames queue in order and one writer drains them. `frames` yields every
/// frame after the Welcome and finishes (or throws) when the stream ends. Read it from one task.
public final class RelayLink: Sendable {
    public let welcome: Cmdop_Agent_V1_Welcome
    public let frames: AsyncThrowingStream<Frame, any Error>
    let outbound: AsyncStream<Frame>.Continuation

    init(welcome: Cmdop_Agent_V1_Welcome, frames: AsyncThrowingStream<Frame, any Error>,
         outbound: AsyncStream<Frame>.Continuation) {
        self.welcome = welcome
        self.frames = frames
        self.outbound = outbound
    }

    /// Queues `frame` for the relay. Frames sent after the stream closed are dropped.
    public func send(_ frame: Frame) {
        outbound.yield(frame)
    }

    /// Ends the sending side; the relay then ends the stream.
    public func close() {
        outbound.finish()
    }
}
