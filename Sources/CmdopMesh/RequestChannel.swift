import CmdopCore
import CmdopProtocol
import Foundation

/// The requests one participant sends over its relay link: fresh ids, each request's frames, and
/// cancellation. Operators and jarvis use it through `MeshClient`; an agent uses it for the model
/// calls of an ask, which go back to the jarvis that asked.
public final class RequestChannel: Sendable {
    let link: RelayLink
    let multiplexer = RequestMultiplexer()

    public init(link: RelayLink) { self.link = link }

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
        return RequestStream(id: id, frames: frames, channel: self)
    }

    /// Hands an answer frame (event, done, error) to the request waiting for it. An error without a
    /// request id is about the whole stream (a revoked key …) and fails every open request.
    public func dispatch(_ frame: Frame) {
        if case .error(let error) = frame.body, error.requestID.isEmpty {
            multiplexer.failAll(error.meshError)
        }
        multiplexer.dispatch(frame)
    }

    /// Fails every open request, and every later one (the link is gone).
    public func failAll(_ error: any Error) { multiplexer.failAll(error) }

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
    let channel: RequestChannel

    /// Waits for the outcome, handing each output chunk to `onOutput` as it arrives.
    /// - Parameter deadline: how long to wait before cancelling the request and throwing `.timeout`.
    public func outcome(deadline: Duration? = nil,
                        onOutput: @Sendable (Cmdop_Agent_V1_OutputChunk) -> Void = { _ in }) async throws
        -> Cmdop_Agent_V1_Done
    {
        try await outcome(deadline: deadline) { event in
            if case .output(let chunk) = event.payload { onOutput(chunk) }
        }
    }

    /// Waits for the outcome, handing every event (output, ask activity, model events) to `onEvent`.
    public func outcome(deadline: Duration?, onEvent: @Sendable (Cmdop_Agent_V1_Event) -> Void) async throws
        -> Cmdop_Agent_V1_Done
    {
        try await withTaskCancellationHandler {
            try await withDeadline(deadline) {
                for try await frame in frames {
                    switch frame.body {
                    case .event(let event): onEvent(event)
                    case .done(let done): return done
                    case .error(let error): throw error.meshError
                    default: continue
                    }
                }
                if Task.isCancelled { throw MeshError(.cancelled, "the request was cancelled") }
                throw MeshError(.unavailable, "the relay stream ended before the request finished")
            }
        } onCancel: {
            channel.cancel(id)
        }
    }

    private func withDeadline<T: Sendable>(_ deadline: Duration?, _ work: () async throws -> T) async throws -> T {
        guard let deadline else { return try await work() }
        // Race the work against a timer; the timer cancels the request on the machine.
        let timer = Task { [channel, id] in
            try await Task.sleep(for: deadline)
            channel.multiplexer.fail(id, with: MeshError(.timeout, "no answer within \(deadline)"))
            channel.cancel(id)
        }
        defer { timer.cancel() }
        return try await work()
    }
}

extension RequestStream {
    /// The request's events as a stream that ends at its `Done` (or throws its error); ending the
    /// iteration early cancels the request.
    public func events(deadline: Duration?) -> AsyncThrowingStream<Cmdop_Agent_V1_Event, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Cmdop_Agent_V1_Event, any Error>.makeStream()
        let task = Task {
            do {
                _ = try await outcome(deadline: deadline) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
