import GRDB

extension RelayStore {
    /// Versioned migrations; each runs once, in order, inside a transaction.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: fleets, keys, machines, audit") { db in
            try db.execute(sql: """
                CREATE TABLE fleets (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    created_at DOUBLE NOT NULL
                );
                CREATE TABLE join_keys (
                    hash TEXT PRIMARY KEY,
                    fleet_id TEXT NOT NULL REFERENCES fleets(id),
                    prefix TEXT NOT NULL,
                    created_at DOUBLE NOT NULL,
                    revoked_at DOUBLE
                );
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    fleet_id TEXT NOT NULL REFERENCES fleets(id),
                    prefix TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    scopes TEXT NOT NULL,
                    label TEXT NOT NULL DEFAULT '',
                    created_at DOUBLE NOT NULL,
                    last_used_at DOUBLE,
                    revoked_at DOUBLE
                );
                CREATE TABLE machines (
                    id TEXT PRIMARY KEY,
                    fleet_id TEXT NOT NULL REFERENCES fleets(id),
                    hostname TEXT NOT NULL,
                    name TEXT NOT NULL,
                    public_key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    key_version INTEGER NOT NULL DEFAULT 1,
                    is_jarvis INTEGER NOT NULL DEFAULT 0,
                    agent_version TEXT NOT NULL DEFAULT '',
                    os TEXT NOT NULL DEFAULT '',
                    enrolled_at DOUBLE NOT NULL,
                    last_seen_at DOUBLE,
                    UNIQUE (fleet_id, hostname)
                );
                CREATE TABLE relay_audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at DOUBLE NOT NULL,
                    fleet_id TEXT,
                    kind TEXT NOT NULL,
                    hostname TEXT NOT NULL DEFAULT '',
                    detail TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX machines_by_fleet ON machines(fleet_id);
                CREATE INDEX api_keys_by_fleet ON api_keys(fleet_id);
                """)
        }
        return migrator
    }
}
