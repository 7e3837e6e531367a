import CExecSupervisor
import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopProtocol
import Foundation
import Logging
import Synchronization

/// The machine daemon: dials out to the relay, keeps presence with heartbeats, serves `exec`,
/// `read_file`, `list_dir` and `ask` behind the machine's own permission gate, and re-connects with
/// exponential back-off and jitter whenever the stream drops.
public final class MachineAgent: Sendable {
    public let configuration: AgentConfiguration
    let logger: Logger
    let handler: OperationHandler
    private let state = Mutex(State())

    private struct State {
        var continuityToken: String?
        var connected = false
        var sessions = 0
    }

    /// Requests being served, by relay request id (ids restart with the relay; a later one replaces).
    private let running = InboundRequests()

    /// - Throws: `MeshAgentError` when the audit log cannot be opened.
    public init(configuration: AgentConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.handler = OperationHandler(
            hostname: configuration.hostname, permissions: PermissionsFile(path: configuration.paths.permissions),
            audit: try AuditLog(path: configuration.paths.auditLog), homeDirectory: configuration.homeDirectory,
            protectedPaths: configuration.protectedPaths.map(OperationHandler.realPath),
            readFileCap: configuration.readFileCap, listDirCap: configuration.listDirCap,
            killGrace: configuration.killGrace, outputChunkBytes: configuration.outputChunkBytes,
            commandUmask: configuration.commandUmask,
            superviseExecs: configuration.superviseExecs && ExecSupervisor.isAvailable)
    }

    /// Whether a stream to the relay is up right now.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// Enrols `identity` in the fleet of `joinKey` and returns the relay's Welcome.
    /// - Throws: `MeshError` — `.unauthenticated` for an unknown join key, `.permissionDenied` when
    ///   the hostname is enrolled with another key, `.unavailable` when the relay cannot be reached.
    public static func enroll(joinKey: String, endpoint: RelayEndpoint, identity: Ed25519Identity,
                              hostname: String, name: String = "") async throws -> Cmdop_Agent_V1_Welcome {
        let credentials = MachineCredentials(identity: identity, fleet: "", hostname: hostname, name: name,
                                             joinKey: joinKey)
        return try await RelayDialer.withLink(to: endpoint, credentials: .machine(credentials)) { $0.welcome }
    }

    /// How the agent enforces its gate on commands, in a sentence for its start-up log.
    public var enforcement: (supervised: Bool, description: String) {
        if !configuration.superviseExecs {
            return (false, "exec supervisor off (--no-exec-supervisor): only the static gate checks commands")
        }
        if !ExecSupervisor.isAvailable {
            return (false, "exec supervisor unavailable: this kernel has no seccomp user notification (Linux 5.5 or later); "
                + "only the static gate checks commands, so a denied program started by an allowed one would run")
        }
        return (true, "exec supervisor on: every program a command starts is checked as it is exec'd (seccomp user notification)")
    }

    /// Runs until the task is cancelled, re-connecting after every failure.
    public func run() async {
        let (supervised, description) = enforcement
        if supervised { logger.info("\(description)") } else { logger.warning("\(description)") }
        // Commands running as this user must not attach to the agent (ptrace, pidfd_getfd) and
        // answer their own execs.
        _ = cmdop_protect_agent()
        var attempt = 0
        while !Task.isCancelled {
            let (token, sessionsBefore) = state.withLock { ($0.continuityToken, $0.sessions) }
            let credentials = MachineCredentials(
                identity: configuration.identity, fleet: configuration.fleet, hostname: configuration.hostname,
                name: configuration.name, continuityToken: token)
            do {
                try await RelayDialer.withLink(to: configuration.endpoint, credentials: .machine(credentials)) { link in
                    try await self.serve(link)
                }
            } catch let error as MeshError where error.code == .unauthenticated && token != nil {
                // The token expired or the relay restarted: sign a fresh challenge straight away.
                state.withLock { $0.continuityToken = nil }
                continue
            } catch {
                if Task.isCancelled { break }
                logger.info("relay stream ended; re-connecting",
                            metadata: ["agent.error": "\(error)", "agent.attempt": "\(attempt)"])
            }
            // A stream that was up and then dropped starts the back-off over.
            if state.withLock({ $0.sessions }) != sessionsBefore { attempt = 0 }
            let delay = configuration.backoff.delay(attempt: attempt)
            attempt += 1
            try? await Task.sleep(for: delay)
        }
        cancelRunning()
    }

    /// Serves one live stream until it ends.
    private func serve(_ link: RelayLink) async throws {
        state.withLock {
            $0.continuityToken = link.welcome.continuityToken.isEmpty ? nil : link.welcome.continuityToken
            $0.connected = true
            $0.sessions += 1
        }
        logger.info("connected to the relay", metadata: ["agent.fleet": "\(link.welcome.fleet)"])
        defer {
            state.withLock { $0.connected = false }
            cancelRunning()
        }
        let interval = Duration.milliseconds(Int64(max(link.welcome.heartbeatIntervalMs, 10)))
        let lastInbound = Locked(ContinuousClock.now)
        let channel = RequestChannel(link: link)
        defer { channel.failAll(MeshError(.unavailable, "the relay stream ended")) }
        try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while true {
                        try await Task.sleep(for: interval)
                        link.send(.heartbeat())
                        // Alive: the relay sent something, or took our frames (heartbeats can queue behind output).
                        let heard = max(lastInbound.value, link.lastSendProgress)
                        if ContinuousClock.now - heard > interval * 3 {
                            throw MeshError(.unavailable, "the relay missed three heartbeats")
                        }
                    }
                }
                group.addTask {
                    for try await frame in link.frames {
                        lastInbound.withLock { $0 = .now }
                        if case .request(let request) = frame.body {
                            self.accept(request, link: link, channel: channel)
                        } else {
                            channel.dispatch(frame)  // answers to this agent's own requests (an ask's model calls)
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
    }

    private func accept(_ request: Cmdop_Agent_V1_Request, link: RelayLink, channel: RequestChannel) {
        if case .cancel = request.operation { return running.cancel(request.requestID) }
        running.start(request.requestID) { [handler] in
            await handler.handle(request, channel: channel, send: { link.send($0) },
                                 sendOutput: { link.sendBlocking($0) })
        }
    }

    private func cancelRunning() { running.cancelAll() }
}
