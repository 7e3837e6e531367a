import CmdopIdentity
import Foundation
import GRDB

/// The relay's durable state in SQLite (WAL): fleets, join keys, API keys, machines, security events.
///
/// Every query that reads machines or keys takes a fleet: there is no cross-fleet read.
/// Keys are stored as SHA-256 only; the plaintext is returned once, at creation.
public final class RelayStore: Sendable {
    let database: any DatabaseWriter

    /// Opens (creating if needed) the store at `path` and migrates it; `":memory:"` for a private
    /// in-memory store.
    /// - Throws: `StoreError` naming the file when it cannot be opened or migrated.
    public init(path: String) throws {
        database = try SQLiteDatabase.open(path: path, migrator: Self.migrator)
    }

    // MARK: Fleets

    /// The fleet called `name`, created if it does not exist yet.
    public func ensureFleet(named name: String) throws -> (fleet: FleetRecord, created: Bool) {
        try validateFleetName(name)
        return try database.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM fleets WHERE name = ?", arguments: [name]) {
                return (Self.fleet(row), false)
            }
            let fleet = FleetRecord(id: UUID().uuidString.lowercased(), name: name, createdAt: Date())
            try db.execute(sql: "INSERT INTO fleets (id, name, created_at) VALUES (?, ?, ?)",
                           arguments: [fleet.id, fleet.name, fleet.createdAt.timeIntervalSince1970])
            return (fleet, true)
        }
    }

    /// The fleet called `name`, if any.
    public func fleet(named name: String) throws -> FleetRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM fleets WHERE name = ?", arguments: [name]).map(Self.fleet)
        }
    }

    /// The fleet with `id`, if any.
    public func fleet(id: String) throws -> FleetRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM fleets WHERE id = ?", arguments: [id]).map(Self.fleet)
        }
    }

    /// Every fleet, by name.
    public func fleets() throws -> [FleetRecord] {
        try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM fleets ORDER BY name").map(Self.fleet) }
    }

    // MARK: Join keys

    /// A new multi-use join key (`cmdop_enroll_…`) for `fleet`; only its hash is kept.
    public func createJoinKey(fleetID: String) throws -> String {
        let key = Crypto.token(prefix: "cmdop_enroll_")
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO join_keys (hash, fleet_id, prefix, created_at) VALUES (?, ?, ?, ?)",
                arguments: [Crypto.sha256Hex(key), fleetID, String(key.prefix(18)), Date().timeIntervalSince1970])
        }
        return key
    }

    /// The fleet a (non-revoked) join key enrols into.
    public func fleetForJoinKey(_ key: String) throws -> FleetRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: """
                SELECT fleets.* FROM join_keys JOIN fleets ON fleets.id = join_keys.fleet_id
                WHERE join_keys.hash = ? AND join_keys.revoked_at IS NULL
                """, arguments: [Crypto.sha256Hex(key)]).map(Self.fleet)
        }
    }

    // MARK: Machines

    /// Every machine of one fleet, by hostname.
    public func machines(fleetID: String) throws -> [MachineRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM machines WHERE fleet_id = ? ORDER BY hostname",
                             arguments: [fleetID]).map(Self.machine)
        }
    }

    /// One machine of one fleet by hostname (lower-cased).
    public func machine(fleetID: String, hostname: String) throws -> MachineRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM machines WHERE fleet_id = ? AND hostname = ?",
                             arguments: [fleetID, hostname.lowercased()]).map(Self.machine)
        }
    }

    /// Enrols a machine. Fails if the hostname is already enrolled in that fleet.
    public func enroll(_ machine: MachineRecord) throws {
        try database.write { db in
            if try Row.fetchOne(db, sql: "SELECT id FROM machines WHERE fleet_id = ? AND hostname = ?",
                                arguments: [machine.fleetID, machine.hostname]) != nil {
                throw StoreError("hostname '\(machine.hostname)' is already enrolled in this fleet")
            }
            try db.execute(sql: """
                INSERT INTO machines (id, fleet_id, hostname, name, public_key, fingerprint, key_version,
                    is_jarvis, agent_version, os, enrolled_at, last_seen_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    machine.id, machine.fleetID, machine.hostname, machine.name, Crypto.hex(machine.publicKey),
                    machine.fingerprint, machine.keyVersion, machine.isJarvis, machine.agentVersion, machine.os,
                    machine.enrolledAt.timeIntervalSince1970, machine.lastSeenAt?.timeIntervalSince1970,
                ])
        }
    }

    /// Registers jarvis's identity in a fleet: an administrator's act, never a join key's, because
    /// jarvis acts for the whole fleet. Registering the same key again changes nothing.
    /// - Throws: `StoreError` when the hostname is taken by another key or by a machine.
    public func registerJarvis(fleetID: String, hostname: String, publicKey: [UInt8]) throws -> MachineRecord {
        let name = hostname.lowercased()
        if let existing = try machine(fleetID: fleetID, hostname: name) {
            guard existing.isJarvis, existing.publicKey == publicKey else {
                throw StoreError("'\(name)' is already enrolled in this fleet with another identity; pick another --hostname")
            }
            return existing
        }
        let record = MachineRecord(
            id: UUID().uuidString.lowercased(), fleetID: fleetID, hostname: name, name: name, publicKey: publicKey,
            fingerprint: Ed25519Identity.fingerprint(of: publicKey), isJarvis: true)
        try enroll(record)
        audit(kind: "jarvis_registered", fleetID: fleetID, hostname: name, detail: record.fingerprint)
        return record
    }

    /// Records a machine's latest version, OS and time seen.
    public func markSeen(machineID: String, agentVersion: String, os: String, at date: Date) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE machines SET agent_version = ?, os = ?, last_seen_at = ? WHERE id = ?",
                           arguments: [agentVersion, os, date.timeIntervalSince1970, machineID])
        }
    }

    // MARK: Security events

    /// Appends a security event (never a secret) to the relay's audit table.
    public func audit(kind: String, fleetID: String?, hostname: String = "", detail: String = "") {
        _ = try? database.write { db in
            try db.execute(
                sql: "INSERT INTO relay_audit (at, fleet_id, kind, hostname, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [Date().timeIntervalSince1970, fleetID, kind, hostname, detail])
        }
    }

    /// The most recent security events, newest last; all fleets when `fleetID` is nil.
    public func auditEvents(fleetID: String? = nil, limit: Int = 100) throws -> [RelayAuditEvent] {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM (SELECT * FROM relay_audit WHERE (?1 IS NULL OR fleet_id = ?1)
                ORDER BY id DESC LIMIT ?2) ORDER BY id
                """, arguments: [fleetID, limit])
            return rows.map { row in
                RelayAuditEvent(id: row["id"], at: Date(timeIntervalSince1970: row["at"]), fleetID: row["fleet_id"],
                                kind: row["kind"], hostname: row["hostname"], detail: row["detail"])
            }
        }
    }

    // MARK: Row mapping

    static func fleet(_ row: Row) -> FleetRecord {
        FleetRecord(id: row["id"], name: row["name"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    static func machine(_ row: Row) -> MachineRecord {
        let seen: Double? = row["last_seen_at"]
        return MachineRecord(
            id: row["id"], fleetID: row["fleet_id"], hostname: row["hostname"], name: row["name"],
            publicKey: Crypto.bytes(fromHex: row["public_key"]) ?? [], fingerprint: row["fingerprint"],
            keyVersion: row["key_version"], isJarvis: row["is_jarvis"], agentVersion: row["agent_version"],
            os: row["os"], enrolledAt: Date(timeIntervalSince1970: row["enrolled_at"]),
            lastSeenAt: seen.map(Date.init(timeIntervalSince1970:)))
    }

    private func validateFleetName(_ name: String) throws {
        let allowed = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        guard !name.isEmpty, name.count <= 64, allowed else {
            throw StoreError("fleet name '\(name)' is not valid: use 1–64 letters, digits, '-', '_' or '.'")
        }
    }
}
