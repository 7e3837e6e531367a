import Synchronization

/// A clock for tests: `sleep` returns at once after moving time forward, and records what was asked for, so
/// retry backoff and circuit-breaker timing are checked without waiting.
public final class TestClock: Clock, Sendable {
    /// A point on the test clock: the time since its start.
    public struct Instant: InstantProtocol {
        /// Time since the clock's start.
        public var offset: Duration

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))

    /// A clock at offset zero.
    public init() {}

    public var now: Instant { Instant(offset: state.withLock { $0.now }) }

    public var minimumResolution: Duration { .zero }

    /// Records the requested sleep and moves time to `deadline` without waiting.
    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(deadline.offset - state.now)
            if deadline.offset > state.now { state.now = deadline.offset }
        }
    }

    /// Moves time forward.
    public func advance(by duration: Duration) {
        state.withLock { $0.now += duration }
    }

    /// Every sleep requested so far, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }
}
