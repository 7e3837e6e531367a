import CmdopCore
import CmdopProtocol
import Foundation

/// An operator's view of the mesh over one relay stream: list machines, run commands, read files.
///
/// Many requests share the one stream (fan-out is many requests, not many streams).
///
/// ```swift
/// try await MeshClient.connect(to: endpoint, apiKey: key) { mesh in
///     let machines = try await mesh.machines()
///     let result = try await mesh.exec(on: "web-1", command: "uptime") { chunk in print(chunk) }
/// }
/// ```
public final class MeshClient: Sendable {
    /// Serves one request this participant receives (jarvis serves agents' model calls), sending
    /// its events and its `Done` or `Error` through `reply`.
    public typealias RequestHandler = @Sendable (Cmdop_Agent_V1_Request, _ reply: @escaping @Sendable (Frame) -> Void) async -> Void

    let link: RelayLink
    /// This client's own requests.
    public let channel: RequestChannel

    init(link: RelayLink) {
        self.link = link
        self.channel = RequestChannel(link: link)
    }

    /// The relay's Welcome: fleet, scopes, heartbeat interval.
    public var welcome: Cmdop_Agent_V1_Welcome { link.welcome }

    /// Connects with `credentials` and runs `body`; the stream closes when it returns.
    /// - Parameter handler: serves requests sent to this participant; without one they are refused.
    public static func connect<Result: Sendable>(
        to endpoint: RelayEndpoint, credentials: RelayCredentials, serving handler: RequestHandler? = nil,
        _ body: @escaping @Sendable (MeshClient) async throws -> Result
    ) async throws -> Result {
        try await RelayDialer.withLink(to: endpoint, credentials: credentials) { link in
            let client = MeshClient(link: link)
            let inbound = InboundRequests()
            defer { inbound.cancelAll() }
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    do {
                        for try await frame in link.frames {
                            if case .request(let request) = frame.body {
                                serve(request, with: handler, inbound: inbound, link: link)
                            } else {
                                client.channel.dispatch(frame)
                            }
                        }
                        client.channel.failAll(MeshError(.unavailable, "the relay closed the stream"))
                    } catch {
                        client.channel.failAll(error)
                    }
                    return nil
                }
                // Heartbeats keep a machine-identity client (jarvis) present; for operators they are harmless.
                group.addTask {
                    let interval = Duration.milliseconds(Int64(max(link.welcome.heartbeatIntervalMs, 10)))
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        link.send(.heartbeat())
                    }
                    return nil
                }
                group.addTask { try await body(client) }
                while let next = try await group.next() {
                    if let result = next {
                        group.cancelAll()
                        return result
                    }
                }
                throw CancellationError()
            }
        }
    }

    /// Starts serving `request`, cancels the request it names, or refuses it without a handler.
    private static func serve(_ request: Cmdop_Agent_V1_Request, with handler: RequestHandler?, inbound: InboundRequests,
                              link: RelayLink) {
        let id = request.requestID
        if case .cancel = request.operation { return inbound.cancel(id) }
        guard let handler else {
            return link.send(.error(MeshError(.invalidArgument, "this participant does not serve requests"), requestID: id))
        }
        inbound.start(id) { await handler(request) { link.send($0) } }
    }

    /// Sends a request and returns its frames: zero or more `Event`s, then `Done` (or a thrown
    /// `MeshError`). Cancelling the consuming task sends a cancel to the machine.
    public func send(target: String, timeoutMs: Int? = nil,
                     _ operation: Cmdop_Agent_V1_Request.OneOf_Operation) -> RequestStream {
        channel.send(target: target, timeoutMs: timeoutMs, operation)
    }
}
