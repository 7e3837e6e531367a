import CmdopCore
import CmdopIdentity
import CmdopProtocol
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// Opens authenticated streams to a relay.
///
/// ```swift
/// try await RelayDialer.withLink(to: endpoint, credentials: .apiKey(key)) { link in
///     link.send(.with(.request(listMachines)))
///     for try await frame in link.frames { … }
/// }
/// ```
public enum RelayDialer {
    /// How long the challenge and the Welcome may each take before the dial counts as failed.
    static let handshakeLimit: Duration = .seconds(15)

    /// Connects, performs the challenge/Hello/Welcome handshake and runs `body` with the live link.
    /// The stream is closed when `body` returns.
    /// - Throws: `MeshError` — `.unavailable` when the relay cannot be reached, `.unauthenticated` or
    ///   `.permissionDenied` when the relay refuses the Hello — or whatever `body` throws.
    public static func withLink<Result: Sendable>(
        to endpoint: RelayEndpoint,
        credentials: RelayCredentials,
        maxFrameBytes: Int = 4 << 20,
        _ body: @escaping @Sendable (RelayLink) async throws -> Result
    ) async throws -> Result {
        let transport: HTTP2ClientTransport.Posix
        do {
            transport = try endpoint.transport()
        } catch {
            throw MeshError(.invalidArgument, "cannot use relay \(endpoint): \(error)")
        }
        do {
            return try await withGRPCClient(transport: transport) { grpc in
                let relay = Cmdop_Agent_V1_Relay.Client(wrapping: grpc)
                let hello = try await makeHello(relay: relay, credentials: credentials)
                let (outbound, outboundContinuation) = AsyncStream<Frame>.makeStream()
                let window = SendWindow(limit: 4 << 20)
                outboundContinuation.yield(.with(.hello(hello)))
                var options = CallOptions.defaults
                options.maxResponseMessageBytes = maxFrameBytes
                return try await relay.connect(options: options, requestProducer: { writer in
                    defer { window.close() }
                    for await frame in outbound {
                        try await writer.write(frame)
                        if case .hello = frame.body { continue }
                        window.release(frame.estimatedSize)
                    }
                }, onResponse: { response in
                    defer {
                        window.close()
                        outboundContinuation.finish()
                    }
                    return try await handshakeAndRun(response: response, outbound: outboundContinuation,
                                                     window: window, body: body)
                })
            }
        } catch let error as RPCError {
            throw mapped(error, endpoint: endpoint)
        }
    }

    private static func handshakeAndRun<Result: Sendable>(
        response: StreamingClientResponse<Frame>,
        outbound: AsyncStream<Frame>.Continuation,
        window: SendWindow,
        body: @escaping @Sendable (RelayLink) async throws -> Result
    ) async throws -> Result {
        let messages = response.messages
        // One reader (the pump) owns the gRPC sequence: the first frame goes to `first`, the rest to `frames`.
        let (first, firstContinuation) = AsyncThrowingStream<Frame, any Error>.makeStream()
        let (frames, framesContinuation) = AsyncThrowingStream<Frame, any Error>.makeStream()
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                var sawFirst = false
                do {
                    for try await frame in messages {
                        if sawFirst {
                            framesContinuation.yield(frame)
                        } else {
                            sawFirst = true
                            firstContinuation.yield(frame)
                            firstContinuation.finish()
                        }
                    }
                    let closed = MeshError(.unavailable, "the relay closed the stream")
                    firstContinuation.finish(throwing: MeshError(.unavailable, "the relay closed the stream during the handshake"))
                    framesContinuation.finish(throwing: closed)
                } catch {
                    let ended = (error as? RPCError).map { MeshError(.unavailable, "relay stream ended: \($0.message)") }
                    firstContinuation.finish(throwing: ended ?? error)
                    framesContinuation.finish(throwing: ended ?? error)
                }
                return nil
            }
            group.addTask {
                let welcome = try await Deadline.run(within: handshakeLimit, "the relay's Welcome") {
                    for try await frame in first {
                        switch frame.body {
                        case .welcome(let welcome): return welcome
                        case .error(let error): throw error.meshError
                        default: throw MeshError(.protocol, "the relay answered the Hello with an unexpected frame")
                        }
                    }
                    throw MeshError(.unavailable, "the relay closed the stream during the handshake")
                }
                return try await body(RelayLink(welcome: welcome, frames: frames, outbound: outbound, window: window))
            }
            while let next = try await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
            }
            throw CancellationError()
        }
    }

    /// Builds the Hello, fetching and signing a challenge where the credentials need one.
    private static func makeHello(relay: Cmdop_Agent_V1_Relay.Client<HTTP2ClientTransport.Posix>,
                                  credentials: RelayCredentials) async throws -> Cmdop_Agent_V1_Hello {
        var hello = Cmdop_Agent_V1_Hello()
        switch credentials {
        case .apiKey(let key):
            hello.role = .operator
            hello.apiKey = key
        case .machine(let machine):
            hello.role = machine.role
            hello.fleet = machine.fleet
            hello.hostname = machine.hostname
            hello.name = machine.name
            hello.publicKey = Data(machine.identity.publicKey)
            hello.keyVersion = 1
            hello.agentVersion = machine.agentVersion
            hello.os = machine.os
            hello.capabilities = machine.capabilities
            if let token = machine.continuityToken {
                hello.continuityToken = token
            } else {
                var request = Cmdop_Agent_V1_ChallengeRequest()
                request.fleet = machine.fleet
                request.hostname = machine.hostname
                let challengeRequest = request
                let challenge = try await Deadline.run(within: handshakeLimit, "the relay's challenge") {
                    try await relay.getChallenge(challengeRequest)
                }
                let nonce = [UInt8](challenge.nonce)
                hello.nonce = challenge.nonce
                hello.signature = Data(machine.identity.sign(HandshakeTranscript.payload(
                    nonce: nonce, fleet: machine.fleet, hostname: machine.hostname, role: machine.roleName,
                    publicKey: machine.identity.publicKey)))
            }
            if let joinKey = machine.joinKey { hello.joinKey = joinKey }
        }
        return hello
    }

    private static func mapped(_ error: RPCError, endpoint: RelayEndpoint) -> MeshError {
        switch error.code {
        case .unavailable:
            MeshError(.unavailable, "cannot reach the relay at \(endpoint) (\(error.message)); is `cmdop server` running there?")
        case .resourceExhausted:
            MeshError(.protocol, "a frame exceeded the size limit: \(error.message)")
        case .unauthenticated, .permissionDenied:
            MeshError(.unauthenticated, error.message)
        case .cancelled:
            MeshError(.cancelled, "the relay stream was cancelled")
        default:
            MeshError(.unavailable, "relay stream to \(endpoint) failed: \(error.code): \(error.message)")
        }
    }
}
