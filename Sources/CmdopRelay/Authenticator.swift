import CmdopCore
import CmdopIdentity
import CmdopProtocol
import CmdopStorage
import Foundation
import Logging

/// Decides who a Hello is: an operator by API key, or a machine by its Ed25519 signature over a
/// fresh challenge (enrolling it on first contact with a join key).
struct Authenticator: Sendable {
    let store: RelayStore
    let challenges: ChallengeBook
    let continuity: ContinuityBook
    let logger: Logger

    /// Scopes a machine stream holds; jarvis acts for the fleet, agents only answer.
    static let jarvisScopes: Set<Scope> = [.machinesRead, .commandsExecute, .filesRead, .agentInvoke]

    /// The peer kind, fleet and scopes for `hello`.
    /// - Throws: `MeshError(.unauthenticated)` or `.permissionDenied` with a reason safe to show the caller.
    func authenticate(_ hello: Cmdop_Agent_V1_Hello) throws -> (kind: Peer.Kind, fleetID: String, scopes: Set<Scope>) {
        switch hello.role {
        case .operator:
            guard let key = try store.authenticateAPIKey(hello.apiKey) else {
                store.audit(kind: "api_key_refused", fleetID: nil, detail: "unknown API key")
                throw MeshError(.unauthenticated, "unknown API key; create one with `cmdop server api-key create`")
            }
            guard key.revokedAt == nil else {
                store.audit(kind: "api_key_refused", fleetID: key.fleetID, detail: "revoked key \(key.prefix)")
                throw MeshError(.unauthenticated, "API key \(key.prefix)… was revoked")
            }
            return (.operator(key), key.fleetID, key.scopes)
        case .agent, .jarvis:
            let machine = try authenticateMachine(hello)
            return (.machine(machine), machine.fleetID, machine.isJarvis ? Self.jarvisScopes : [])
        default:
            throw MeshError(.protocol, "the Hello has no role; send ROLE_AGENT, ROLE_OPERATOR or ROLE_JARVIS")
        }
    }

    private func authenticateMachine(_ hello: Cmdop_Agent_V1_Hello) throws -> MachineRecord {
        let hostname = hello.hostname.lowercased()
        let publicKey = [UInt8](hello.publicKey)
        guard !hostname.isEmpty, hostname.count <= 253 else {
            throw MeshError(.invalidArgument, "the Hello has no hostname")
        }
        guard publicKey.count == Ed25519Identity.publicKeyLength else {
            throw MeshError(.unauthenticated, "the Hello's public key is not a 32-byte Ed25519 key")
        }
        if !hello.continuityToken.isEmpty {
            return try resume(hello, hostname: hostname, publicKey: publicKey)
        }
        if let reason = challenges.consume([UInt8](hello.nonce)) {
            store.audit(kind: "handshake_refused", fleetID: nil, hostname: hostname, detail: reason)
            throw MeshError(.unauthenticated, reason)
        }
        let role = hello.role == .jarvis ? "jarvis" : "agent"
        let transcript = HandshakeTranscript.payload(
            nonce: [UInt8](hello.nonce), fleet: hello.fleet, hostname: hostname, role: role, publicKey: publicKey)
        guard Ed25519Identity.verify(signature: hello.signature, message: transcript, publicKey: publicKey) else {
            store.audit(kind: "handshake_refused", fleetID: nil, hostname: hostname, detail: "bad signature")
            throw MeshError(.unauthenticated, "the Hello's signature does not verify")
        }
        let fleet: FleetRecord
        if !hello.joinKey.isEmpty && hello.role == .jarvis {
            // A join key enrols one machine; it must not mint an identity that acts for the whole fleet.
            store.audit(kind: "enrolment_refused", fleetID: nil, hostname: hostname, detail: "jarvis role with a join key")
            throw MeshError(.permissionDenied, "jarvis cannot enrol with a join key; the relay's administrator registers it")
        }
        if !hello.joinKey.isEmpty {
            guard let joined = try store.fleetForJoinKey(hello.joinKey) else {
                store.audit(kind: "enrolment_refused", fleetID: nil, hostname: hostname, detail: "unknown join key")
                throw MeshError(.unauthenticated, "unknown or revoked join key; get one with `cmdop server join-key --fleet NAME`")
            }
            fleet = joined
        } else {
            guard let named = try store.fleet(named: hello.fleet) else {
                throw MeshError(.unauthenticated, "no fleet '\(hello.fleet)' on this relay; enrol with `cmdop join KEY`")
            }
            fleet = named
        }
        if let existing = try store.machine(fleetID: fleet.id, hostname: hostname) {
            guard Crypto.constantTimeEqual(existing.publicKey, publicKey) else {
                let presented = Ed25519Identity.fingerprint(of: publicKey)
                store.audit(kind: "identity_conflict", fleetID: fleet.id, hostname: hostname,
                            detail: "presented \(presented), enrolled \(existing.fingerprint)")
                logger.warning("refused a second key for an enrolled hostname",
                               metadata: ["relay.hostname": "\(hostname)", "relay.fingerprint": "\(presented)"])
                throw MeshError(.permissionDenied,
                                "hostname '\(hostname)' is enrolled with another key in fleet '\(fleet.name)'")
            }
            guard existing.isJarvis == (hello.role == .jarvis) else {
                throw MeshError(.permissionDenied, "'\(hostname)' is enrolled with another role")
            }
            var current = existing
            current.agentVersion = hello.agentVersion
            current.os = hello.os
            return current
        }
        guard !hello.joinKey.isEmpty else {
            throw MeshError(.unauthenticated, "'\(hostname)' is not enrolled in fleet '\(fleet.name)'; run `cmdop join KEY` first")
        }
        let record = MachineRecord(
            id: UUID().uuidString.lowercased(), fleetID: fleet.id, hostname: hostname,
            name: hello.name.isEmpty ? hostname : hello.name, publicKey: publicKey,
            fingerprint: Ed25519Identity.fingerprint(of: publicKey), keyVersion: Int(max(hello.keyVersion, 1)),
            isJarvis: hello.role == .jarvis, agentVersion: hello.agentVersion, os: hello.os)
        try store.enroll(record)
        store.audit(kind: "enrolled", fleetID: fleet.id, hostname: hostname, detail: record.fingerprint)
        logger.info("machine enrolled", metadata: ["relay.hostname": "\(hostname)", "relay.fleet": "\(fleet.name)"])
        return record
    }

    private func resume(_ hello: Cmdop_Agent_V1_Hello, hostname: String, publicKey: [UInt8]) throws -> MachineRecord {
        guard let machineID = continuity.redeem(hello.continuityToken),
              let fleet = try store.fleet(named: hello.fleet),
              let machine = try store.machine(fleetID: fleet.id, hostname: hostname),
              machine.id == machineID, Crypto.constantTimeEqual(machine.publicKey, publicKey)
        else {
            throw MeshError(.unauthenticated, "continuity token unknown, used or expired; sign a new challenge")
        }
        var current = machine
        current.agentVersion = hello.agentVersion
        current.os = hello.os
        return current
    }
}
