import Foundation
import GRDB

/// Opens the SQLite files cmdop keeps: WAL, a busy timeout, foreign keys, mode 0600, migrated.
public enum SQLiteDatabase {
    /// Opens (creating, with its folder) the database at `path` and runs `migrator`;
    /// `":memory:"` gives a private in-memory database.
    /// - Throws: `StoreError` naming the file and what to check.
    public static func open(path: String, migrator: DatabaseMigrator) throws -> any DatabaseWriter {
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
            return database
        } catch {
            throw StoreError("\(path): cannot open the database (\(error)); check the data directory's permissions and free space")
        }
    }
}
