import CmdopCore
import CmdopMesh

/// How a relay listens and keeps presence.
public struct RelayConfiguration: Sendable {
    /// Address to bind; anything but loopback requires TLS.
    public var host: String
    /// Port to bind; 0 picks a free one (reported through `onListening`).
    public var port: Int
    /// PEM certificate chain and private key; required for non-loopback addresses.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// How often machines send heartbeats; a machine is offline after three missed.
    public var heartbeatInterval: Duration
    /// The largest frame accepted on a stream; a bigger one ends that stream.
    public var maxFrameBytes: Int
    /// How long a challenge nonce stays valid.
    public var challengeLifetime: Duration
    /// How long after a dropped stream its continuity token still re-connects.
    public var continuityWindow: Duration
    /// How long a new stream may take to send its Hello.
    public var helloTimeout: Duration
    /// How far (in bytes) a stream's reader may fall behind before the relay ends the stream.
    public var maxQueuedBytesPerStream: Int
    /// How long a stopping relay waits for its connections to close before it cuts them.
    public var shutdownGrace: Duration = .seconds(10)

    public init(host: String = "127.0.0.1", port: Int = 7443, tlsCertificatePath: String? = nil,
                tlsKeyPath: String? = nil, heartbeatInterval: Duration = .seconds(30),
                maxFrameBytes: Int = 4 << 20, challengeLifetime: Duration = .seconds(120),
                continuityWindow: Duration = .seconds(30), helloTimeout: Duration = .seconds(10),
                maxQueuedBytesPerStream: Int = 64 << 20) {
        self.host = host
        self.port = port
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.heartbeatInterval = heartbeatInterval
        self.maxFrameBytes = maxFrameBytes
        self.challengeLifetime = challengeLifetime
        self.continuityWindow = continuityWindow
        self.helloTimeout = helloTimeout
        self.maxQueuedBytesPerStream = maxQueuedBytesPerStream
    }

    /// Checks the combination before anything binds.
    /// - Throws: `MeshError(.invalidArgument)` saying which flag to add.
    public func validate() throws {
        let isLoopback = RelayEndpoint.isLoopback(host)
        let hasTLS = tlsCertificatePath != nil && tlsKeyPath != nil
        if (tlsCertificatePath == nil) != (tlsKeyPath == nil) {
            throw MeshError(.invalidArgument, "give both --tls-cert and --tls-key, or neither")
        }
        if !isLoopback && !hasTLS {
            throw MeshError(.invalidArgument,
                            "\(host) is not a loopback address: a relay reachable from the network needs TLS; "
                                + "add --tls-cert CERT.pem --tls-key KEY.pem (or listen on 127.0.0.1)")
        }
        guard heartbeatInterval >= .milliseconds(10) else {
            throw MeshError(.invalidArgument, "the heartbeat interval must be at least 10 ms")
        }
    }
}
