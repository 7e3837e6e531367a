import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The HTTP server in front of jarvis (API and webhook ingress), started in the background
/// on a given address; port 0 picks a free port, which `start` returns.
public final class JarvisHTTPServer: Sendable {
    private let task = Mutex<Task<Void, any Error>?>(nil)

    public init() {}

    /// Starts serving `router` on `host:port` and returns the bound port once it listens.
    /// - Throws: when the address cannot be bound (the message names it).
    public func start(router: Router<BasicRequestContext>, host: String, port: Int, logger: Logger) async throws -> Int {
        try await start(responder: router.buildResponder(), host: host, port: port, logger: logger)
    }

    /// Starts serving `responder` on `host:port` and returns the bound port once it listens.
    /// - Throws: when the address cannot be bound (the message names it).
    public func start<Responder: HTTPResponder>(responder: Responder, host: String, port: Int, logger: Logger) async throws -> Int
    where Responder.Context == BasicRequestContext {
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder, configuration: .init(address: .hostname(host, port: port), serverName: "cmdop-jarvis"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            }, logger: logger)
        let running = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        task.withLock { $0 = running }
        // Cancelled before it listens (Ctrl-C at start-up): the server task, which does not inherit
        // this task's cancellation, is stopped too, or waiting for it would never end.
        return try await withTaskCancellationHandler {
            for await port in bound { return port }
            // The server stopped before it listened: surface why.
            try await running.value
            try Task.checkCancellation()
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "the HTTP server did not start on \(host):\(port)"])
        } onCancel: {
            running.cancel()
        }
    }

    /// Stops the server (open event streams end).
    public func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        _ = try? await running?.value
    }
}
