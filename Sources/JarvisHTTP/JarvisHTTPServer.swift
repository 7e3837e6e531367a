import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The HTTP server in front of jarvis (API, and later webhook ingress), started in the background
/// on a given address; port 0 picks a free port, which `start` returns.
public final class JarvisHTTPServer: Sendable {
    private let task = Mutex<Task<Void, any Error>?>(nil)

    public init() {}

    /// Starts serving `router` on `host:port` and returns the bound port once it listens.
    /// - Throws: when the address cannot be bound (the message names it).
    public func start(router: Router<BasicRequestContext>, host: String, port: Int, logger: Logger) async throws -> Int {
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "cmdop-jarvis"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            }, logger: logger)
        let running = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        task.withLock { $0 = running }
        for await port in bound { return port }
        // The server stopped before it listened: surface why.
        try await running.value
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "the HTTP server did not start on \(host):\(port)"])
    }

    /// Stops the server (open event streams end).
    public func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        _ = try? await running?.value
    }
}
