import Foundation
import GRDB

/// Opens the SQLite files cmdop keeps: WAL, a busy timeout, foreign keys, mode 0600, migrated.
public enum SQLiteDatabase {
    /// What a committed transaction survives.
    public enum Durability: Sendable {
        /// The process crashing (WAL with `synchronous = NORMAL`, GRDB's default): a commit is in
        /// the operating system's hands when it returns, but the newest commits may roll back after
        /// a power loss or kernel crash. For what cmdop can redo or lose: journals, sessions, history.
        case processCrash
        /// A power loss too (`synchronous = FULL`): every commit fsyncs the WAL before it returns.
        /// For promises made to someone outside the process, such as a 202 to a webhook sender that
        /// will not send again.
        case powerLoss
    }

    /// Opens (creating, with its folder) the database at `path` and runs `migrator`;
    /// `":memory:"` gives a private in-memory database.
    /// - Throws: `StoreError` naming the file and what to check.
    public static func open(path: String, migrator: DatabaseMigrator,
                            durability: Durability = .processCrash) throws -> any DatabaseWriter {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        do {
            let database: any DatabaseWriter
            if path == ":memory:" {
                database = try DatabaseQueue(configuration: configuration)
            } else {
                let folder = (path as NSString).deletingLastPathComponent
                if !folder.isEmpty {
                    try FileManager.default.createDirectory(
                        atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                }
                database = try DatabasePool(path: path, configuration: configuration)
                chmod(path, 0o600)
            }
            try migrator.migrate(database)
            if durability == .powerLoss {
                // After GRDB's own set-up, which sets NORMAL; a pool has one writer connection, kept open.
                try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            }
            return database
        } catch {
            throw StoreError("\(path): cannot open the database (\(error)); check the data directory's permissions and free space")
        }
    }
}
