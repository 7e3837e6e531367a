import Foundation
import GRDB
@testable import JarvisTriggers
import Testing

@Suite("Delivery keys: held in memory, written a generation at a time, never forgotten across a restart")
struct DeliveryKeyIndexTests {
    /// A store whose key generations hold 4 keys, with the intake over it.
    struct Store {
        let store: DeliveryStore
        let intake: WebhookIntake

        init(_ path: String) throws {
            store = try DeliveryStore(path: path, keyGenerationSize: 4)
            intake = WebhookIntake(definitions: [try WebhookIntakeTests.github("n={{n}}")], store: store, dedupeRetention: 3600)
        }

        /// Delivers GitHub delivery `n` (its body, hence its key, is its own).
        func receive(_ n: Int, at now: Date) async -> IntakeResponse {
            let body = Array(#"{"n":\#(n)}"#.utf8)
            return await intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body, delivery: "d-\(n)-\(now)"),
                                        body: body, now: now)
        }
    }

    static func count(_ path: String, _ sql: String) throws -> Int {
        try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Delivers 0..<count, each accepted; returns their delivery ids.
    static func accept(_ count: Int, _ store: Store) async throws -> [String] {
        var ids: [String] = []
        for n in 0..<count {
            let response = await store.receive(n, at: now.addingTimeInterval(Double(n)))
            try #require(response.fields["status"] == "accepted", "\(response.fields)")
            ids.append(try #require(response.fields["delivery_id"]))
        }
        return ids
    }

    @Test("full generations are written to delivery_keys; every key, written or still in memory, is a duplicate after a restart")
    func keysSurviveARestart() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("deliveries.sqlite")
        let ids = try await Self.accept(10, try Store(path))
        // Two generations of 4 are written; the last two keys were only in memory (and in their rows).
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") == 8)
        #expect(try Self.count(path, "SELECT written_generation FROM delivery_key_state") == 2)

        let reopened = try Store(path)
        for n in 0..<10 {
            let again = await reopened.receive(n, at: Self.now.addingTimeInterval(60))
            #expect(again.status == 200 && again.fields["status"] == "duplicate", "delivery \(n): \(again.fields)")
            #expect(again.fields["delivery_id"] == ids[n])
        }
        #expect(try Self.count(path, "SELECT COUNT(*) FROM deliveries") == 10)
    }

    @Test("a generation written only in part before a crash is read back and written again")
    func partlyWrittenGeneration() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("deliveries.sqlite")
        let ids = try await Self.accept(10, try Store(path))
        // As if the process died after the first keys of generation 2 were written, before the rest.
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE delivery_key_state SET written_generation = 1")
            try db.execute(sql: "DELETE FROM delivery_keys WHERE delivery_id IN (?, ?)", arguments: [ids[6], ids[7]])
        }
        let reopened = try Store(path)
        let next = await reopened.receive(10, at: Self.now.addingTimeInterval(10))
        #expect(next.fields["status"] == "accepted")
        for n in 0...10 {
            let again = await reopened.receive(n, at: Self.now.addingTimeInterval(60))
            #expect(again.fields["status"] == "duplicate", "delivery \(n): \(again.fields)")
        }
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") == 11)
    }

    @Test("keys past every hook's window are forgotten, in memory and on disk: the same body is then a new delivery")
    func keysArePruned() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("deliveries.sqlite")
        let store = try Store(path)
        _ = try await Self.accept(6, store)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") == 4)
        let later = Self.now.addingTimeInterval(3601 + 10)
        #expect(try store.intake.pruneDeliveries(now: later) == 0, "no delivery is finished, so none is deleted")
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") == 0)
        for n in [0, 5] {
            #expect(await store.receive(n, at: later).fields["status"] == "accepted", "delivery \(n)")
        }
    }

    @Test("two copies of a delivery in one commit: the first is stored, the second answered as its duplicate")
    func duplicateInOneCommit() async throws {
        let folder = try TemporaryFolder()
        let store = try Store(folder.sub("deliveries.sqlite"))
        let responses = await withTaskGroup(of: IntakeResponse.self) { group in
            for _ in 0..<16 { group.addTask { await store.receive(1, at: Self.now) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(responses.filter { $0.fields["status"] == "accepted" }.count == 1)
        #expect(responses.filter { $0.fields["status"] == "duplicate" }.count == 15)
        #expect(Set(responses.compactMap { $0.fields["delivery_id"] }).count == 1)
    }
}
