import CmdopIdentity
import Foundation
import GRDB

extension RelayStore {
    /// Creates an API key for `fleetID` with `scopes`. The plaintext is returned here and never again.
    public func createAPIKey(fleetID: String, scopes: Set<Scope>, label: String = "") throws
        -> (record: APIKeyRecord, key: String)
    {
        guard !scopes.isEmpty else {
            throw StoreError("an API key needs at least one scope (--scope machines:read, for example)")
        }
        guard let fleet = try fleet(id: fleetID) else { throw StoreError("no fleet with id \(fleetID)") }
        let key = Crypto.token(prefix: "cmdop_", byteCount: 24)
        let record = APIKeyRecord(
            id: UUID().uuidString.lowercased(), fleetID: fleetID, fleetName: fleet.name,
            prefix: String(key.prefix(14)), scopes: scopes, label: label, createdAt: Date())
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, fleet_id, prefix, hash, scopes, label, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.id, fleetID, record.prefix, Crypto.sha256Hex(key),
                                 scopes.sorted().map(\.rawValue).joined(separator: " "), label,
                                 record.createdAt.timeIntervalSince1970])
        }
        return (record, key)
    }

    /// The live key matching `key`, with its last-used time updated; nil for unknown or revoked keys.
    public func authenticateAPIKey(_ key: String) throws -> APIKeyRecord? {
        guard key.hasPrefix("cmdop_"), !key.hasPrefix("cmdop_enroll_") else { return nil }
        return try database.write { db in
            guard let row = try Row.fetchOne(db, sql: Self.keySelect + " WHERE api_keys.hash = ?",
                                             arguments: [Crypto.sha256Hex(key)]) else { return nil }
            var record = try Self.apiKey(row)
            guard record.revokedAt == nil else { return record }
            record.lastUsedAt = Date()
            try db.execute(sql: "UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                           arguments: [record.lastUsedAt!.timeIntervalSince1970, record.id])
            return record
        }
    }

    /// API keys (never their secrets), optionally of one fleet.
    public func apiKeys(fleetID: String? = nil) throws -> [APIKeyRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: Self.keySelect + " WHERE (?1 IS NULL OR api_keys.fleet_id = ?1) ORDER BY created_at",
                             arguments: [fleetID]).map(Self.apiKey)
        }
    }

    /// Revokes the key whose id or prefix is `reference`.
    /// - Throws: `StoreError` when nothing or more than one key matches.
    public func revokeAPIKey(_ reference: String) throws -> APIKeyRecord {
        try database.write { db in
            let rows = try Row.fetchAll(db, sql: Self.keySelect + " WHERE api_keys.id = ? OR api_keys.prefix = ?",
                                        arguments: [reference, reference])
            guard rows.count == 1 else {
                throw StoreError(rows.isEmpty
                    ? "no API key with id or prefix '\(reference)' (see `cmdop server api-key list`)"
                    : "'\(reference)' matches \(rows.count) keys; give the key id instead")
            }
            var record = try Self.apiKey(rows[0])
            record.revokedAt = record.revokedAt ?? Date()
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?",
                           arguments: [record.revokedAt!.timeIntervalSince1970, record.id])
            return record
        }
    }

    /// Ids of every revoked key, for closing streams that still use one.
    public func revokedAPIKeyIDs() throws -> Set<String> {
        try database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT id FROM api_keys WHERE revoked_at IS NOT NULL"))
        }
    }

    private static let keySelect = """
        SELECT api_keys.*, fleets.name AS fleet_name FROM api_keys JOIN fleets ON fleets.id = api_keys.fleet_id
        """

    private static func apiKey(_ row: Row) throws -> APIKeyRecord {
        let scopeText: String = row["scopes"]
        let used: Double? = row["last_used_at"]
        let revoked: Double? = row["revoked_at"]
        return APIKeyRecord(
            id: row["id"], fleetID: row["fleet_id"], fleetName: row["fleet_name"], prefix: row["prefix"],
            scopes: Set(try scopeText.split(separator: " ").map { try Scope(parsing: String($0)) }),
            label: row["label"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            lastUsedAt: used.map(Date.init(timeIntervalSince1970:)),
            revokedAt: revoked.map(Date.init(timeIntervalSince1970:)))
    }
}
