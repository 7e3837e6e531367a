import CmdopMesh
import Synchronization

/// Every open `Connect` stream's outbound queue, so that a relay that stops can end each stream
/// with a reason (the participants re-connect) instead of abandoning it.
final class OpenStreams: Sendable {
    private struct State {
        var closing: Frame?
        var queues: [ObjectIdentifier: OutboundQueue] = [:]
    }

    private let state = Mutex(State())

    /// Adds a new stream's queue; once the relay is closing, the queue is ended at once with the reason.
    func add(_ queue: OutboundQueue) {
        let closing = state.withLock { state -> Frame? in
            if state.closing == nil { state.queues[ObjectIdentifier(queue)] = queue }
            return state.closing
        }
        if let closing { Self.end(queue, with: closing) }
    }

    func remove(_ queue: OutboundQueue) {
        _ = state.withLock { $0.queues.removeValue(forKey: ObjectIdentifier(queue)) }
    }

    /// Ends every open stream, and every later one, with `reason`.
    func closeAll(_ reason: Frame) {
        let queues = state.withLock { state -> [OutboundQueue] in
            state.closing = reason
            defer { state.queues.removeAll() }
            return Array(state.queues.values)
        }
        for queue in queues { Self.end(queue, with: reason) }
    }

    private static func end(_ queue: OutboundQueue, with reason: Frame) {
        queue.yield(reason)
        queue.finish()
    }
}
