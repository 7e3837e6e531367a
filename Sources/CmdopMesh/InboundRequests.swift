import Synchronization

/// The requests a participant is serving: each runs in its own task, registered by request id so a
/// `cancel` from the relay stops it, and so everything stops when the stream ends.
public final class InboundRequests: Sendable {
    private struct State {
        var running: [String: (token: UInt64, task: Task<Void, Never>)] = [:]
        var nextToken: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Runs `work` for request `id`; an earlier request with the same id is cancelled.
    public func start(_ id: String, _ work: @escaping @Sendable () async -> Void) {
        // Registered under the lock, so the task's own removal always comes after.
        state.withLock { state in
            state.nextToken += 1
            let token = state.nextToken
            state.running[id]?.task.cancel()
            state.running[id] = (token, Task {
                await work()
                self.state.withLock { state in
                    if state.running[id]?.token == token { state.running.removeValue(forKey: id) }
                }
            })
        }
    }

    /// Cancels request `id` (the relay forwarded a cancel).
    public func cancel(_ id: String) {
        state.withLock { $0.running.removeValue(forKey: id) }?.task.cancel()
    }

    /// Cancels everything still running (the stream is gone).
    public func cancelAll() {
        let tasks = state.withLock { state in
            defer { state.running.removeAll() }
            return state.running.values.map(\.task)
        }
        for task in tasks { task.cancel() }
    }
}
