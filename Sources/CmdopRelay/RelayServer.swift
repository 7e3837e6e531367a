import CmdopCore
import CmdopStorage
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging

/// The relay: holds fleets, identities, presence and routing. Machines dial out to it; operators
/// and jarvis connect the same way.
///
/// ```swift
/// let relay = RelayServer(configuration: .init(port: 0), store: try RelayStore(path: dbPath), logger: logger)
/// try await relay.run { port in print("listening on \(port)") }
/// ```
public final class RelayServer: Sendable {
    public let configuration: RelayConfiguration
    public let store: RelayStore
    let logger: Logger
    let router: Router

    public init(configuration: RelayConfiguration, store: RelayStore, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.router = Router(store: store, logger: logger)
    }

    /// Binds, calls `onListening` with the bound port, and serves until the task is cancelled; then
    /// stops gracefully: no new connections, every open stream ended with "the relay is shutting
    /// down" (participants re-connect), and returns once the connections have closed.
    /// - Throws: `MeshError(.invalidArgument)` for an unsafe configuration; transport errors when
    ///   the address cannot be bound.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try configuration.validate()
        let challenges = ChallengeBook(lifetime: configuration.challengeLifetime)
        let continuity = ContinuityBook(window: configuration.continuityWindow)
        let streams = OpenStreams()
        let service = RelayService(
            configuration: configuration, router: router,
            authenticator: Authenticator(store: store, challenges: challenges, continuity: continuity, logger: logger),
            challenges: challenges, continuity: continuity, streams: streams, logger: logger)
        let transport = HTTP2ServerTransport.Posix(
            address: configuration.host.contains(":")
                ? .ipv6(host: configuration.host, port: configuration.port)
                : .ipv4(host: configuration.host, port: configuration.port),
            transportSecurity: try transportSecurity(),
            config: .defaults { config in
                config.rpc.maxRequestPayloadSize = configuration.maxFrameBytes
                config.http2.maxConcurrentStreams = 100_000
            })
        let server = GRPCServer(transport: transport, services: [service])
        // `serve()` runs where this task's cancellation does not reach it: a gRPC server cancelled
        // while it accepts a connection traps in NIO ("Deinited NIOAsyncWriter without calling
        // finish()", apple/swift-nio#3481). It is stopped gracefully below, and always awaited.
        let serving = Task { try await server.serve() }
        let port: Int
        do {
            let address = try await transport.listeningAddress
            port = address.ipv4?.port ?? address.ipv6?.port ?? configuration.port
        } catch {
            server.beginGracefulShutdown()
            try await serving.value  // why it could not listen
            throw error
        }
        logger.info("relay listening", metadata: ["relay.address": "\(configuration.host):\(port)"])
        onListening(port)
        // Once a stop is asked for, a connection that still lingers after the grace period is cut.
        let (stopAsked, askStop) = AsyncStream<Void>.makeStream()
        let grace = configuration.shutdownGrace
        let backstop = Task {
            for await _ in stopAsked { break }
            try await Task.sleep(for: grace)
            serving.cancel()
        }
        defer { backstop.cancel() }
        let ended: (any Error)? = await withTaskCancellationHandler {
            await withTaskGroup(of: (any Error)?.self) { group in
                group.addTask { [router, configuration] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: configuration.heartbeatInterval / 2)
                        await router.sweep(heartbeatInterval: configuration.heartbeatInterval)
                    }
                    return nil
                }
                // The server may also stop by itself; that ends the relay with its error.
                group.addTask {
                    do {
                        try await serving.value
                        return MeshError(.unavailable, "the relay's gRPC server stopped by itself")
                    } catch {
                        return error
                    }
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first  // the group then waits for serve() to finish
            }
        } onCancel: {
            server.beginGracefulShutdown()
            streams.closeAll(.error(MeshError(.unavailable, "the relay is shutting down; re-connect")))
            askStop.yield()
        }
        if !Task.isCancelled, let ended {
            logger.error("the relay stopped serving", metadata: ["relay.error": "\(ended)"])
            throw ended
        }
    }

    private func transportSecurity() throws -> HTTP2ServerTransport.Posix.TransportSecurity {
        guard let cert = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath else { return .plaintext }
        return .tls(certificateChain: [.file(path: cert, format: .pem)], privateKey: .file(path: key, format: .pem))
    }
}
