import Foundation
import GRDB
@testable import JarvisTriggers
import Testing

@Suite("Delivery rows: every value stored as given, errors reported")
struct DeliveryRecordTests {
    @Test("an accepted delivery and its replay read back value for value, absent values as NULL")
    func roundTrip() async throws {
        let fixture = try WebhookIntakeTests.Fixture([try WebhookIntakeTests.github("run {{workflow_run.name}} ✓")])
        let now = Date(timeIntervalSince1970: 1_800_000_000.25)
        let body = Array(#"{"workflow_run":{"name":"CI \"nightly\""}}"#.utf8)
        let response = await fixture.intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body, delivery: "d-1"),
                                                    body: body, now: now)
        #expect(response.status == 202)
        let stored = try #require(try fixture.store.delivery(id: response.fields["delivery_id"] ?? ""))
        #expect(stored.hook == "gh" && stored.senderDeliveryID == "d-1" && stored.body == body)
        #expect(stored.prompt == #"run CI "nightly" ✓"# && stored.runID == response.fields["run_id"])
        #expect(stored.receivedAt == now && stored.state == .accepted && stored.replayOf == nil)
        #expect(stored.headers["x-github-event"] == "workflow_run" && stored.headers["x-github-delivery"] == "d-1")

        let copy = try fixture.intake.replay(deliveryID: stored.id, now: now.addingTimeInterval(1))
        let columns = try DatabaseQueue(path: fixture.path).read { db in
            try Row.fetchAll(db, sql: "SELECT id, length(dedupe_key) AS key, key_generation, sender_delivery_id, replay_of FROM deliveries")
        }
        let original = try #require(columns.first { ($0["id"] as String?) == stored.id })
        let replay = try #require(columns.first { ($0["id"] as String?) == copy.id })
        #expect(original["key"] as Int? == 16)
        #expect(original["key_generation"] as Int64? != nil)
        #expect(replay["key"] as Int? == nil)
        #expect(replay["key_generation"] as Int64? == nil)
        #expect(replay["sender_delivery_id"] as String? == nil)
        #expect(replay["replay_of"] as String? == stored.id)
    }

    @Test("a row SQLite refuses is an error naming the constraint, and the statement stays usable")
    func refusedRow() throws {
        let folder = try TemporaryFolder()
        let store = try DeliveryStore(path: folder.sub("deliveries.sqlite"))
        let delivery = Delivery(id: "same-id", hook: "gh", senderDeliveryID: nil, headers: [:], body: [1, 2], prompt: "p",
                                runID: "run-1", receivedAt: Date(), state: .accepted, startedAt: nil, finishedAt: nil,
                                outcome: nil, replayOf: nil)
        let record = DeliveryRecord(delivery, dedupeKey: nil, dedupeSince: Date())
        try store.database.write { db in try record.insert(db, generation: 1) }
        #expect {
            try store.database.write { db in try record.insert(db, generation: 1) }
        } throws: { error in
            (error as? DatabaseError)?.message?.contains("UNIQUE constraint failed: deliveries.id") == true
        }
        let other = Delivery(id: "other-id", hook: "gh", senderDeliveryID: nil, headers: [:], body: [], prompt: "p",
                             runID: "run-2", receivedAt: Date(), state: .accepted, startedAt: nil, finishedAt: nil,
                             outcome: nil, replayOf: nil)
        try store.database.write { db in try DeliveryRecord(other, dedupeKey: nil, dedupeSince: Date()).insert(db, generation: nil) }
        #expect(try store.delivery(id: "other-id")?.body == [])
    }

    @Test("a delivery SQLite refuses is answered 500 with nothing stored, and the writer's next commit still works")
    func refusedDeliveryRollsBack() async throws {
        let fixture = try WebhookIntakeTests.Fixture([try WebhookIntakeTests.github("n={{n}}")])
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        try await DatabaseQueue(path: fixture.path, configuration: configuration).write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse BEFORE INSERT ON deliveries WHEN NEW.prompt = 'n=13'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """)
        }
        func deliver(_ n: Int) async -> IntakeResponse {
            let body = Array(#"{"n":\#(n)}"#.utf8)
            return await fixture.intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body, delivery: "d-\(n)"),
                                                body: body, now: Date())
        }
        let refused = await deliver(13)
        #expect(refused.status == 500 && refused.fields["error"] == "the delivery could not be stored; retry later")
        #expect(try fixture.count("deliveries") == 0)
        let next = await deliver(14)
        #expect(next.status == 202, "the refused commit was rolled back: \(next.fields)")
        #expect(try fixture.count("deliveries") == 1)
        #expect(await deliver(13).status == 500, "a refused delivery left no key behind: it is refused again, not a duplicate")
    }
}
