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

    /// Opens a stream, sends `outgoing` in order, and returns every frame the relay sent back until it
    /// closed the stream (or `readFor` elapsed), plus the error the stream ended with, if any.
    public static func exchange(_ endpoint: RelayEndpoint, _ outgoing: [Outgoing],
                                readFor: Duration = .seconds(5)) async throws -> (frames: [Frame], error: (any Error)?) {
        try await withGRPCClient(transport: try transport(endpoint)) { grpc in
            let request = StreamingClientRequest<Outgoing> { writer in
                for message in outgoing { try await writer.write(message) }
                try await Task.sleep(for: readFor)
            }
            return try await grpc.bidirectionalStreaming(
                request: request, descriptor: Cmdop_Agent_V1_Relay.Method.Connect.descriptor,
                serializer: RawSerializer(), deserializer: ProtobufDeserializer<Frame>(), options: .defaults
            ) { response in
                var frames: [Frame] = []
                do {
                    for try await frame in response.messages { frames.append(frame) }
                    return (frames, nil)
                } catch {
                    return (frames, error)
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
