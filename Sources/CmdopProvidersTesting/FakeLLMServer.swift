import CmdopProviders
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP/1.1 server on 127.0.0.1 (port chosen by the system) that replays scripted responses and records
/// the requests it gets: the LLM, faked outside the code under test.
///
/// ```swift
/// try await withFakeLLMServer { server in
///     server.enqueue(.json(#"{"data":[]}"#), for: "/v1/models")
///     let config = ProviderConfig(name: "fake", wire: .openAIChat, baseURL: server.baseURL + "/v1", ...)
/// }
/// ```
public final class FakeLLMServer: Sendable {
    /// Scripted responses and recorded requests, shared with the connection handlers.
    final class Script: Sendable {
        private let state = Mutex<(queues: [String: [ScriptedResponse]], defaults: [String: ScriptedResponse], requests: [RecordedRequest])>(
            ([:], [:], []))
        private let closed = Mutex<[ContinuousClock.Instant]>([])
        private let completed = Mutex(0)

        func recordDisconnect() { closed.withLock { $0.append(.now) } }

        func recordPlayedToEnd() { completed.withLock { $0 += 1 } }

        var playedToEnd: Int { completed.withLock { $0 } }

        var disconnects: [ContinuousClock.Instant] { closed.withLock { $0 } }

        func enqueue(_ response: ScriptedResponse, for path: String) {
            state.withLock { $0.queues[path, default: []].append(response) }
        }

        func setDefault(_ response: ScriptedResponse, for path: String) {
            state.withLock { $0.defaults[path] = response }
        }

        func take(for request: RecordedRequest) -> ScriptedResponse {
            let path = String(request.path.split(separator: "?", maxSplits: 1).first ?? "")
            return state.withLock { state in
                state.requests.append(request)
                if var queue = state.queues[path], !queue.isEmpty {
                    let next = queue.removeFirst()
                    state.queues[path] = queue
                    return next
                }
                if let fallback = state.defaults[path] { return fallback }
                return .json(
                    #"{"error":{"message":"FakeLLMServer has no scripted response for \#(request.method) \#(path)","type":"not_found"}}"#,
                    status: 404)
            }
        }

        var requests: [RecordedRequest] { state.withLock { $0.requests } }
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let script: Script
    /// The port the server listens on.
    public let port: Int

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, script: Script, port: Int) {
        self.group = group
        self.channel = channel
        self.script = script
        self.port = port
    }

    /// Starts a server on 127.0.0.1 with a system-chosen port.
    /// - Throws: when the socket cannot be bound.
    public static func start() async throws -> FakeLLMServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let script = Script()
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(ScriptedHTTPHandler(script: script))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            guard let port = channel.localAddress?.port else {
                throw ProviderError(code: .network, message: "FakeLLMServer could not learn its port.")
            }
            return FakeLLMServer(group: group, channel: channel, script: script, port: port)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Queues `response` for the next request to `path` (queued responses are served in order, once each).
    public func enqueue(_ response: ScriptedResponse, for path: String) { script.enqueue(response, for: path) }

    /// Serves `response` for `path` whenever its queue is empty.
    public func setDefault(_ response: ScriptedResponse, for path: String) { script.setDefault(response, for: path) }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { script.requests }

    /// When each client connection closed, in order (to measure how fast a cancelled client hangs up).
    public var disconnects: [ContinuousClock.Instant] { script.disconnects }

    /// How many scripted responses were played to their end (a client that hung up early stops its
    /// response before that).
    public var responsesPlayedToEnd: Int { script.playedToEnd }

    /// Closes the listener and every connection.
    public func shutdown() async throws {
        try? await channel.close()
        try await group.shutdownGracefully()
    }
}

/// Runs `body` with a started ``FakeLLMServer`` and shuts it down afterwards.
public func withFakeLLMServer<Result>(
    isolation: isolated (any Actor)? = #isolation, _ body: (FakeLLMServer) async throws -> Result
) async throws -> Result {
    let server = try await FakeLLMServer.start()
    do {
        let result = try await body(server)
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
    }
}
