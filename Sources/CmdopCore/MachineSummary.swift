/// What the mesh knows about one machine of a fleet: enough to resolve, list and route.
public struct MachineSummary: Sendable, Equatable, Codable {
    /// The relay-assigned UUID, lower-case.
    public var id: String
    /// The machine's hostname, lower-cased at enrolment.
    public var hostname: String
    /// The display name (`--name` at join time); may equal the hostname.
    public var name: String
    public var online: Bool
    /// Seconds since the last heartbeat, or -1 when never seen.
    public var heartbeatAgeSeconds: Int64
    public var agentVersion: String
    public var os: String
    public var isJarvis: Bool
    /// The SHA-256 fingerprint of the machine's Ed25519 public key.
    public var fingerprint: String

    public init(
        id: String, hostname: String, name: String, online: Bool = false, heartbeatAgeSeconds: Int64 = -1,
        agentVersion: String = "", os: String = "", isJarvis: Bool = false, fingerprint: String = ""
    ) {
        self.id = id
        self.hostname = hostname
        self.name = name
        self.online = online
        self.heartbeatAgeSeconds = heartbeatAgeSeconds
        self.agentVersion = agentVersion
        self.os = os
        self.isJarvis = isJarvis
        self.fingerprint = fingerprint
    }

    enum CodingKeys: String, CodingKey {
        case id, hostname, name, online, os, fingerprint
        case heartbeatAgeSeconds = "heartbeat_age_seconds"
        case agentVersion = "agent_version"
        case isJarvis = "is_jarvis"
    }
}
