import CmdopCore
import CmdopProtocol
import Synchronization

/// Serves the requests a participant receives: each runs in its own task, registered by request id
/// so a `cancel` from the relay stops it.
final class InboundRequests: Sendable {
    private struct State {
        var running: [String: (token: UInt64, task: Task<Void, Never>)] = [:]
        var nextToken: UInt64 = 0
    }

    private let state = Mutex(State())
    let handler: MeshClient.RequestHandler?

    init(handler: MeshClient.RequestHandler?) { self.handler = handler }

    /// Starts serving `request`, or cancels the request it names.
    func accept(_ request: Cmdop_Agent_V1_Request, link: RelayLink) {
        let id = request.requestID
        if case .cancel = request.operation {
            state.withLock { $0.running.removeValue(forKey: id) }?.task.cancel()
            return
        }
        guard let handler else {
            link.send(.error(MeshError(.invalidArgument, "this participant does not serve requests"), requestID: id))
            return
        }
        state.withLock { state in
            state.nextToken += 1
            let token = state.nextToken
            state.running[id]?.task.cancel()
            state.running[id] = (token, Task {
                await handler(request) { link.send($0) }
                self.state.withLock { state in
                    if state.running[id]?.token == token { state.running.removeValue(forKey: id) }
                }
            })
        }
    }

    /// Stops everything still running (the link is gone).
    func cancelAll() {
        let tasks = state.withLock { state in
            defer { state.running.removeAll() }
            return state.running.values.map(\.task)
        }
        for task in tasks { task.cancel() }
    }
}
