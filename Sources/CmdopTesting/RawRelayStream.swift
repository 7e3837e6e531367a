import CmdopCore
import CmdopMesh
import CmdopProtocol
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf

/// A deliberately low-level `Connect` stream for tests that must misbehave: hand-made Hellos,
/// replayed signatures, garbage bytes, oversized frames, missing heartbeats.
public enum RawRelayStream {
    /// What a raw stream may send: a real frame, or arbitrary bytes as a gRPC message.
    public enum Outgoing: Sendable {
        case frame(Frame)
        case bytes([UInt8])
    }

    /// Fetches a challenge nonce from the relay.
    public static func challenge(_ endpoint: RelayEndpoint) async throws -> [UInt8] {
        try await withGRPCClient(transport: try transport(endpoint)) { grpc in
            let relay = Cmdop_Agent_V1_Relay.Client(wrapping: grpc)
            return [UInt8](try await relay.getChallenge(Cmdop_Agent_V1_ChallengeRequest()).nonce)
        }
    }

    /// What a raw stream got back.
    public struct Reply: Sendable {
        /// Every frame the relay sent, in order.
        public var frames: [Frame]
        /// The error the stream ended with, if any.
        public var error: (any Error)?
        /// Whether the relay ended the stream (rather than `until` being met or `limit` passing).
        public var closedByRelay: Bool
    }

    /// Opens a stream, sends `outgoing` in order, and reads what the relay sends back until the
    /// relay closes the stream, or `until` holds for the frames so far, or `limit` passes — a
    /// generous bound that only catches a hang; no test outcome depends on how fast the relay is.
    public static func exchange(_ endpoint: RelayEndpoint, _ outgoing: [Outgoing],
                                until done: @escaping @Sendable ([Frame]) -> Bool = { _ in false },
                                limit: Duration = .seconds(30)) async throws -> Reply {
        let (stop, stopWriting) = AsyncStream<Void>.makeStream()
        let limitReached = Locked(false)
        return try await withGRPCClient(transport: try transport(endpoint)) { grpc in
            let request = StreamingClientRequest<Outgoing> { writer in
                for message in outgoing { try await writer.write(message) }
                // Keep the request side open (a closed one ends the stream) until the reader is done.
                await withTaskGroup(of: Bool.self) { group in
                    group.addTask { for await _ in stop {}; return false }
                    group.addTask { (try? await Task.sleep(for: limit)) != nil }
                    if await group.next() == true { limitReached.withLock { $0 = true } }
                    group.cancelAll()
                }
            }
            return try await grpc.bidirectionalStreaming(
                request: request, descriptor: Cmdop_Agent_V1_Relay.Method.Connect.descriptor,
                serializer: RawSerializer(), deserializer: ProtobufDeserializer<Frame>(), options: .defaults
            ) { response in
                defer { stopWriting.finish() }
                var frames: [Frame] = []
                do {
                    for try await frame in response.messages {
                        frames.append(frame)
                        if done(frames) { return Reply(frames: frames, error: nil, closedByRelay: false) }
                    }
                    return Reply(frames: frames, error: nil, closedByRelay: !limitReached.value)
                } catch {
                    return Reply(frames: frames, error: error, closedByRelay: !limitReached.value)
                }
            }
        }
    }

    static func transport(_ endpoint: RelayEndpoint) throws -> HTTP2ClientTransport.Posix {
        try .http2NIOPosix(target: .ipv4(address: endpoint.host, port: endpoint.port), transportSecurity: .plaintext)
    }

    struct RawSerializer: MessageSerializer {
        func serialize<Bytes: GRPCContiguousBytes>(_ message: Outgoing) throws -> Bytes {
            switch message {
            case .frame(let frame): Bytes(try frame.serializedBytes() as [UInt8])
            case .bytes(let bytes): Bytes(bytes)
            }
        }
    }
}
