import CmdopCore
import CmdopProtocol
import Synchronization

/// Routes the frames of one stream to the callers waiting on each request id.
///
/// Each open request gets its own stream of frames; a `Done` or `Error` ends it. When the link
/// dies, every open request fails with the link's error — no caller is left hanging.
final class RequestMultiplexer: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var open: [String: AsyncThrowingStream<Frame, any Error>.Continuation] = [:]
        var failure: (any Error)?
    }

    private let state = Mutex(State())

    /// Registers a fresh request id and returns it with the stream of its frames.
    func open() -> (id: String, frames: AsyncThrowingStream<Frame, any Error>) {
        let (stream, continuation) = AsyncThrowingStream<Frame, any Error>.makeStream()
        let (id, failure): (String, (any Error)?) = state.withLock { state in
            state.nextID += 1
            let id = "r\(state.nextID)"
            if state.failure == nil { state.open[id] = continuation }
            return (id, state.failure)
        }
        if let failure { continuation.finish(throwing: failure) }
        return (id, stream)
    }

    /// Forgets `id` (the caller stopped listening).
    func close(_ id: String) {
        let continuation = state.withLock { $0.open.removeValue(forKey: id) }
        continuation?.finish()
    }

    /// Delivers an inbound frame to its request; `Done` and `Error` end that request's stream.
    func dispatch(_ frame: Frame) {
        guard let id = frame.requestID, !id.isEmpty else { return }
        let terminal: Bool
        switch frame.body {
        case .done, .error: terminal = true
        default: terminal = false
        }
        let continuation = state.withLock { state in
            terminal ? state.open.removeValue(forKey: id) : state.open[id]
        }
        guard let continuation else { return }
        continuation.yield(frame)
        if terminal { continuation.finish() }
    }

    /// Fails one open request with `error`.
    func fail(_ id: String, with error: any Error) {
        let continuation = state.withLock { $0.open.removeValue(forKey: id) }
        continuation?.finish(throwing: error)
    }

    /// Fails every open request, and every later one, with `error`.
    func failAll(_ error: any Error) {
        let open = state.withLock { state in
            state.failure = state.failure ?? error
            defer { state.open.removeAll() }
            return Array(state.open.values)
        }
        for continuation in open { continuation.finish(throwing: error) }
    }
}
