import CmdopCore
import CmdopMesh
import CmdopProtocol
import CmdopStorage
import Foundation
import GRPCCore
import Logging

/// The `cmdop.agent.v1.Relay` service: challenges, and the one `Connect` stream per participant.
struct RelayService: Cmdop_Agent_V1_Relay.SimpleServiceProtocol {
    let configuration: RelayConfiguration
    let router: Router
    let authenticator: Authenticator
    let challenges: ChallengeBook
    let continuity: ContinuityBook
    /// Ended all at once when the relay stops.
    let streams: OpenStreams
    let logger: Logger

    func getChallenge(request: Cmdop_Agent_V1_ChallengeRequest, context: ServerContext) async throws
        -> Cmdop_Agent_V1_Challenge
    {
        var challenge = Cmdop_Agent_V1_Challenge()
        challenge.nonce = Data(challenges.issue())
        let lifetime = configuration.challengeLifetime.components
        challenge.expiresAtUnixMs = Int64(Date().timeIntervalSince1970 * 1000) + lifetime.seconds * 1000
        return challenge
    }

    func connect(request: RPCAsyncSequence<Frame, any Error>, response: RPCWriter<Frame>,
                 context: ServerContext) async throws {
        let outbound = OutboundQueue(limit: configuration.maxQueuedBytesPerStream)
        streams.add(outbound)
        defer { streams.remove(outbound) }
        let session = StreamSession(service: self, outbound: outbound)
        await session.startHelloTimer()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await session.read(request) }
            // The writer: the only code that writes to this stream. It ends when the stream is
            // finished (the reader is done, or the relay kicked the peer), after sending what was queued.
            for await frame in outbound.frames {
                do { try await response.write(frame) } catch { break }
                outbound.written(frame)
            }
            group.cancelAll()
        }
        await session.end()
        if let failure = await session.failure {
            throw RPCError(code: .invalidArgument, message: failure)
        }
    }
}

/// The state of one `Connect` stream: before the Hello, then as an authenticated peer.
actor StreamSession {
    let service: RelayService
    let outbound: OutboundQueue
    private var peer: Peer?
    private var token: String?
    private var greeted = false
    private var helloTimer: Task<Void, Never>?
    /// Why the stream was ended by a bad frame, if it was.
    private(set) var failure: String?

    init(service: RelayService, outbound: OutboundQueue) {
        self.service = service
        self.outbound = outbound
    }

    /// Reads frames until the caller closes the stream or sends something that ends it.
    func read(_ frames: RPCAsyncSequence<Frame, any Error>) async {
        do {
            for try await frame in frames {
                guard let peer else {
                    await hello(frame)
                    if self.peer == nil { break }
                    continue
                }
                switch frame.body {
                case .request(let request): await service.router.handle(request, from: peer)
                case .event, .done, .error:
                    if peer.machine != nil { await service.router.deliver(frame, from: peer) }
                case .heartbeat: await service.router.heartbeat(from: peer)
                case .hello, .welcome, nil:
                    outbound.yield(.error(MeshError(.protocol, "unexpected frame after the handshake")))
                }
            }
        } catch is CancellationError {
            // The writer ended first (the peer was kicked, or the relay is stopping): not the peer's fault.
        } catch {
            // A malformed or oversized frame, or a transport failure: this stream ends, others go on.
            service.logger.info("stream ended with an error", metadata: ["relay.error": "\(error)"])
            failure = "the stream sent a frame the relay could not accept: \((error as? RPCError)?.message ?? "\(error)")"
            outbound.yield(.error(MeshError(.protocol, failure!)))
        }
        outbound.finish()
    }

    private func hello(_ frame: Frame) async {
        greeted = true
        helloTimer?.cancel()
        helloTimer = nil
        guard case .hello(let hello) = frame.body else {
            outbound.yield(.error(MeshError(.protocol, "the first frame must be a Hello")))
            return
        }
        do {
            let (kind, fleetID, scopes) = try service.authenticator.authenticate(hello)
            let peer = Peer(id: await service.router.makePeerID(), kind: kind, fleetID: fleetID, scopes: scopes,
                            outbound: outbound)
            var welcome = Cmdop_Agent_V1_Welcome()
            welcome.fleet = (try? service.router.store.fleet(id: fleetID))??.name ?? ""
            welcome.scopes = scopes.sorted().map(\.rawValue)
            welcome.heartbeatIntervalMs = UInt32(service.configuration.heartbeatInterval.wholeMilliseconds)
            welcome.relayVersion = CmdopVersion.current
            if let machine = peer.machine {
                welcome.machineID = machine.id
                let token = service.continuity.issue(machineID: machine.id)
                welcome.continuityToken = token
                self.token = token
            }
            // Welcome first, then the peer becomes routable.
            outbound.yield(.with(.welcome(welcome)))
            await service.router.register(peer)
            self.peer = peer
        } catch let error as MeshError {
            outbound.yield(.error(error))
        } catch {
            service.logger.error("handshake failed", metadata: ["relay.error": "\(error)"])
            outbound.yield(.error(MeshError(.internal, "the relay could not complete the handshake")))
        }
    }

    /// Ends the stream if no Hello arrives in time; the timer is cancelled by the Hello.
    func startHelloTimer() {
        let timeout = service.configuration.helloTimeout
        helloTimer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            await self?.expireIfNoHello()
        }
    }

    func expireIfNoHello() {
        guard !greeted else { return }
        outbound.yield(.error(MeshError(.protocol, "no Hello within \(service.configuration.helloTimeout)")))
        outbound.finish()
    }

    func end() async {
        helloTimer?.cancel()
        outbound.finish()
        if let peer { await service.router.unregister(peer) }
        if let token { service.continuity.streamEnded(token: token) }
    }
}
