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
    let link: RelayLink
    let multiplexer = RequestMultiplexer()

    init(link: RelayLink) { self.link = link }

    /// The relay's Welcome: fleet, scopes, heartbeat interval.
    public var welcome: Cmdop_Agent_V1_Welcome { link.welcome }

    /// Connects with `credentials` and runs `body`; the stream closes when it returns.
    public static func connect<Result: Sendable>(
        to endpoint: RelayEndpoint, credentials: RelayCredentials,
        _ body: @escaping @Sendable (MeshClient) async throws -> Result
    ) async throws -> Result {
        try await RelayDialer.withLink(to: endpoint, credentials: credentials) { link in
            let client = MeshClient(link: link)
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    do {
                        for try await frame in link.frames {
                            // An error without a request id is about the whole stream (a revoked key …).
                            if case .error(let error) = frame.body, error.requestID.isEmpty {
                                client.multiplexer.failAll(error.meshError)
                            }
                            client.multiplexer.dispatch(frame)
                        }
                        client.multiplexer.failAll(MeshError(.unavailable, "the relay closed the stream"))
                    } catch {
                        client.multiplexer.failAll(error)
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

    /// Sends a request and returns its frames: zero or more `Event`s, then `Done` (or a thrown
    /// `MeshError`). Cancelling the consuming task sends a cancel to the machine.
    public func send(target: String, timeoutMs: Int? = nil,
                     _ operation: Cmdop_Agent_V1_Request.OneOf_Operation) -> RequestStream {
        let (id, frames) = multiplexer.open()
        var request = Cmdop_Agent_V1_Request()
        request.requestID = id
        request.target = target
        request.timeoutMs = UInt32(Timeouts.singleCall(milliseconds: timeoutMs))
        request.operation = operation
        link.send(.with(.request(request)))
        return RequestStream(id: id, frames: frames, client: self)
    }

    /// Asks the machine to stop request `id` (SIGTERM, then SIGKILL after a grace period).
    func cancel(_ id: String) {
        var request = Cmdop_Agent_V1_Request()
        request.requestID = id
        request.operation = .cancel(.init())
        link.send(.with(.request(request)))
        multiplexer.close(id)
    }
}

/// The frames of one request, ending with its `Done`; a wire `Error` is thrown as `MeshError`.
public struct RequestStream: Sendable {
    public let id: String
    let frames: AsyncThrowingStream<Frame, any Error>
    let client: MeshClient

    /// Waits for the outcome, handing each output chunk to `onOutput` as it arrives.
    /// - Parameter deadline: how long to wait before cancelling the request and throwing `.timeout`.
    public func outcome(deadline: Duration? = nil,
                        onOutput: @Sendable (Cmdop_Agent_V1_OutputChunk) -> Void = { _ in }) async throws
        -> Cmdop_Agent_V1_Done
    {
        try await withTaskCancellationHandler {
            try await withDeadline(deadline) {
                for try await frame in frames {
                    switch frame.body {
                    case .event(let event):
                        if case .output(let chunk) = event.payload { onOutput(chunk) }
                    case .done(let done): return done
                    case .error(let error): throw error.meshError
                    default: continue
                    }
                }
                if Task.isCancelled { throw MeshError(.cancelled, "the request was cancelled") }
                throw MeshError(.unavailable, "the relay stream ended before the request finished")
            }
        } onCancel: {
            client.cancel(id)
        }
    }

    private func withDeadline<T: Sendable>(_ deadline: Duration?, _ work: () async throws -> T) async throws -> T {
        guard let deadline else { return try await work() }
        // Race the work against a timer; the timer cancels the request on the machine.
        let timer = Task { [client, id] in
            try await Task.sleep(for: deadline)
            client.multiplexer.fail(id, with: MeshError(.timeout, "no answer within \(deadline)"))
            client.cancel(id)
        }
        defer { timer.cancel() }
        return try await work()
    }
}
