import CmdopIdentity
import CmdopStorage
import Foundation
import GRDB
@testable import JarvisTriggers
import Testing

@Suite("Delivery store migration: v1 files keep their deliveries and their de-duplication")
struct DeliveryMigrationTests {
    @Test("a v1 store opens as the current version: deliveries kept, a stored GitHub body still a duplicate, states intact")
    func v1ToCurrent() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("deliveries.sqlite")
        let body = Array(#"{"n":1}"#.utf8)
        let received = Date().timeIntervalSince1970 - 60
        // The v1 schema and rows, written as the previous release wrote them.
        let old = try DatabaseQueue(path: path)
        try await old.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1: webhook deliveries');
                CREATE TABLE deliveries (
                    id TEXT PRIMARY KEY, hook TEXT NOT NULL, sender_delivery_id TEXT, headers TEXT NOT NULL,
                    body BLOB NOT NULL, prompt TEXT NOT NULL, run_id TEXT NOT NULL UNIQUE, received_at DOUBLE NOT NULL,
                    state TEXT NOT NULL, started_at DOUBLE, finished_at DOUBLE, outcome TEXT, reason TEXT, replay_of TEXT);
                CREATE INDEX deliveries_by_hook ON deliveries(hook, received_at);
                CREATE INDEX deliveries_pending ON deliveries(state, received_at);
                CREATE TABLE delivery_ids (
                    hook TEXT NOT NULL, sender_delivery_id TEXT NOT NULL, delivery_id TEXT NOT NULL,
                    received_at DOUBLE NOT NULL, PRIMARY KEY (hook, sender_delivery_id));
                CREATE INDEX delivery_ids_age ON delivery_ids(received_at);
                """)
            try db.execute(sql: """
                INSERT INTO deliveries (id, hook, sender_delivery_id, headers, body, prompt, run_id, received_at, state)
                VALUES ('d-old', 'gh', 'x-1', '{"x-github-event":"workflow_run"}', ?, 'n=1', 'r-old', ?, 'accepted'),
                       ('d-done', 'gh', 'x-2', '{}', ?, 'n=2', 'r-done', ?, 'finished')
                """, arguments: [Data(body), received, Data("{}".utf8), received])
            try db.execute(sql: "INSERT INTO delivery_ids VALUES ('gh', ?, 'd-old', ?)",
                           arguments: ["sha256:" + Crypto.hex(Crypto.sha256(body)), received])
        }
        try old.close()

        let store = try DeliveryStore(path: path)
        let intake = WebhookIntake(definitions: [try WebhookIntakeTests.github("n={{n}}")], store: store)
        #expect(try store.pendingDeliveries().map(\.id) == ["d-old"])
        #expect(try store.delivery(id: "d-done")?.state == .finished)
        #expect(try store.delivery(id: "d-old")?.headers == ["x-github-event": "workflow_run"])
        let again = await intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body, delivery: "x-3"), body: body)
        #expect(again.status == 200)
        #expect(again.fields["status"] == "duplicate" && again.fields["run_id"] == "r-old")
        let names = try await DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master") }
        #expect(!names.contains("delivery_ids") && !names.contains("deliveries_dedupe"))
        #expect(names.contains("delivery_keys"))
    }

    /// SQLite's plan for `sql` over a new store's schema.
    static func plan(_ sql: String, _ arguments: StatementArguments) async throws -> String {
        let folder = try TemporaryFolder()
        let path = folder.sub("deliveries.sqlite")
        _ = try DeliveryStore(path: path)
        return try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments,
                                adapter: ColumnMapping(["detail": "detail"])).joined(separator: "; ")
        }
    }

    @Test("a key's look-up searches delivery_keys' primary key")
    func keyLookUpUsesThePrimaryKey() async throws {
        let plan = try await Self.plan(DeliveryKeyIndex.newestWrittenSQL, ["gh", Data([1]), 1, 0])
        #expect(plan.contains("SEARCH k USING PRIMARY KEY (prefix=? AND received_at>?)"), "\(plan)")
        #expect(plan.contains("SEARCH d USING INDEX deliveries_by_hook (hook=? AND received_at=?)"), "\(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
    }

    @Test("the restart and dispatch queries read the partial index of unfinished deliveries, not the table")
    func openDeliveriesUseTheIndex() async throws {
        var plans: [String] = []
        for state in [Delivery.State.accepted, .started] {
            plans.append(try await Self.plan(DeliveryStore.unfinishedSQL(state: state), [10]))
        }
        for plan in plans {
            #expect(plan.contains("USING INDEX deliveries_open"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        }
    }
}
