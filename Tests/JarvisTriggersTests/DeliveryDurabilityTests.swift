import CmdopStorage
import Foundation
import GRDB
@testable import JarvisTriggers
import Testing

@Suite("Delivery durability: a 202 survives a power loss")
struct DeliveryDurabilityTests {
    /// `PRAGMA synchronous` on the connection that writes: 1 is NORMAL, 2 is FULL.
    static func synchronous(_ database: any DatabaseWriter) throws -> Int {
        try database.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
    }

    @Test("the deliveries store fsyncs every commit (synchronous FULL), also after re-opening")
    func deliveriesAreFull() async throws {
        let fixture = try WebhookIntakeTests.Fixture([try WebhookIntakeTests.github("{{n}}")])
        #expect(try Self.synchronous(fixture.store.database) == 2)
        _ = try await DeliveryStoreTests.accepted(fixture, #"{"n":1}"#, delivery: "one")
        #expect(try Self.synchronous(fixture.store.database) == 2)
        let reopened = try DeliveryStore(path: fixture.path)
        #expect(try Self.synchronous(reopened.database) == 2)
    }

    @Test("stores that can redo their work keep GRDB's NORMAL; asking for power-loss durability gives FULL")
    func durabilityOption() throws {
        let folder = try TemporaryFolder()
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { try $0.execute(sql: "CREATE TABLE t (x INTEGER)") }
        let normal = try SQLiteDatabase.open(path: folder.sub("normal.sqlite"), migrator: migrator)
        let full = try SQLiteDatabase.open(path: folder.sub("full.sqlite"), migrator: migrator, durability: .powerLoss)
        #expect(try Self.synchronous(normal) == 1)
        #expect(try Self.synchronous(full) == 2)
        try full.write { try $0.execute(sql: "INSERT INTO t VALUES (1)") }
        #expect(try Self.synchronous(full) == 2)
    }
}
