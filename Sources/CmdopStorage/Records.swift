import Foundation

/// A fleet: the trust boundary. Nothing crosses from one fleet to another.
public struct FleetRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdAt: Date
}

/// A machine (or jarvis) enrolled in a fleet, identified by its Ed25519 public key.
public struct MachineRecord: Sendable, Equatable {
    public var id: String
    public var fleetID: String
    public var hostname: String
    public var name: String
    public var publicKey: [UInt8]
    public var fingerprint: String
    public var keyVersion: Int
    public var isJarvis: Bool
    public var agentVersion: String
    public var os: String
    public var enrolledAt: Date
    public var lastSeenAt: Date?

    public init(id: String, fleetID: String, hostname: String, name: String, publicKey: [UInt8],
                fingerprint: String, keyVersion: Int = 1, isJarvis: Bool = false, agentVersion: String = "",
                os: String = "", enrolledAt: Date = Date(), lastSeenAt: Date? = nil) {
        self.id = id
        self.fleetID = fleetID
        self.hostname = hostname
        self.name = name
        self.publicKey = publicKey
        self.fingerprint = fingerprint
        self.keyVersion = keyVersion
        self.isJarvis = isJarvis
        self.agentVersion = agentVersion
        self.os = os
        self.enrolledAt = enrolledAt
        self.lastSeenAt = lastSeenAt
    }
}

/// An operator API key as stored: only its SHA-256 and a display prefix, never the key itself.
public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var fleetID: String
    public var fleetName: String
    /// The first characters of the key, enough to recognise it in a list.
    public var prefix: String
    public var scopes: Set<Scope>
    public var label: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
}

/// A relay security event: refused enrolments, identity conflicts, revoked keys used.
public struct RelayAuditEvent: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var fleetID: String?
    public var kind: String
    public var hostname: String
    public var detail: String
}
