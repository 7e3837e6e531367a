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
        try open(path).read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    /// A second connection to a store's file, waiting out the store's writer (which may still be
    /// writing a key chunk after the last delivery was answered).
    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
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
        try await Self.open(path).write { db in
            try db.execute(sql: "UPDATE delivery_key_state SET written_generation = 1")
            try db.execute(sql: "DELETE FROM delivery_keys WHERE received_at IN (SELECT received_at FROM deliveries WHERE id IN (?, ?))",
                           arguments: [ids[6], ids[7]])
        }
        let reopened = try Store(path)
        let next = await reopened.receive(10, at: Self.now.addingTimeInterval(10))
        #expect(next.fields["status"] == "accepted")
        for n in 0...10 {
            let again = await reopened.receive(n, at: Self.now.addingTimeInterval(60))
            #expect(again.fields["status"] == "duplicate", "delivery \(n): \(again.fields)")
        }
        // The six rows read back (4-9) were written again as one generation; 10 is still in memory.
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") == 10)
        #expect(reopened.store.writtenKeys.rowCount == 10, "keys 4 and 5 were already there: counted once")
        #expect(try Self.count(path, "SELECT written_generation FROM delivery_key_state") == 4)
    }

    @Test("keys a day past every hook's window are deleted from disk; keys inside it stay duplicates")
    func keysArePruned() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("deliveries.sqlite")
        let store = try Store(path)
        _ = try await Self.accept(6, store)
        let later = Self.now.addingTimeInterval(3600 + 86400 + 100)
        for n in 6..<10 {
            #expect(await store.receive(n, at: later.addingTimeInterval(-50)).fields["status"] == "accepted", "delivery \(n)")
        }
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") == 8)
        #expect(store.store.writtenKeys.count == 8)
        #expect(try store.intake.pruneDeliveries(now: later) == 0, "no delivery is finished, so none is deleted")
        // 0-5 are past the window and the day's margin; 6 and 7 were written and are inside it.
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") == 2)
        #expect(store.store.writtenKeys.count == 2, "the pruned keys are no longer searched for")
        for n in [6, 7, 9] {
            #expect(await store.receive(n, at: later).fields["status"] == "duplicate", "delivery \(n)")
        }
        #expect(await store.receive(0, at: later).fields["status"] == "accepted")
    }

    @Test("rows without a key fill generations too, and replays (no generation) hide no unwritten key from a restart")
    func unkeyedRowsAndReplays() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("deliveries.sqlite")
        let deploy = WebhookDefinition(name: "deploy", verification: .bearer(token: "t0k3n"), prompt: try PromptTemplate("deploy"))
        let store = try DeliveryStore(path: path, keyGenerationSize: 4)
        let intake = WebhookIntake(definitions: [deploy, try WebhookIntakeTests.github("n={{n}}")], store: store)
        for _ in 0..<4 {
            let response = await intake.receive(hook: "deploy", headers: ["authorization": "Bearer t0k3n"], body: Array("{}".utf8))
            #expect(response.fields["status"] == "accepted")
        }
        let body = Array(#"{"n":1}"#.utf8)
        let keyed = await intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body), body: body)
        let original = try #require(keyed.fields["delivery_id"])
        _ = try intake.replay(deliveryID: original)
        // The writer writes a closed generation before its next commit: one more delivery settles it.
        _ = await intake.receive(hook: "deploy", headers: ["authorization": "Bearer t0k3n"], body: Array("{}".utf8))
        #expect(try Self.count(path, "SELECT written_generation FROM delivery_key_state") == 1, "four rows without keys fill one")
        #expect(try Self.count(path, "SELECT COUNT(*) FROM deliveries WHERE key_generation IS NULL") == 1)

        let reopened = WebhookIntake(definitions: [try WebhookIntakeTests.github("n={{n}}")],
                                     store: try DeliveryStore(path: path, keyGenerationSize: 4))
        let again = await reopened.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body), body: body)
        #expect(again.fields["status"] == "duplicate" && again.fields["delivery_id"] == original)
    }

    @Test("sixteen copies of a delivery at once: exactly one is stored, the others answered as its duplicate")
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

    @Test("the written-key set counts rows per fingerprint: a key stays while any row holds it, and a removal seen before its add cancels it")
    func writtenKeyCounts() throws {
        let database = try DatabaseQueue()
        let first = DeliveryKey.fingerprint([UInt8](repeating: 0xF1, count: 16))
        let second = DeliveryKey.fingerprint([UInt8](repeating: 2, count: 16))
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE delivery_keys (prefix INTEGER, received_at DOUBLE);
                INSERT INTO delivery_keys VALUES (?, 1), (?, 2);
                """, arguments: [Int64(bitPattern: first), Int64(bitPattern: first)])
        }
        let set = try database.read { try WrittenKeySet.load($0) }
        #expect(set.mayContain(first) && !set.mayContain(second))
        set.removed([first])
        #expect(set.mayContain(first), "one of its two rows remains")
        set.removed([first])
        #expect(!set.mayContain(first))
        set.removed([second])
        #expect(!set.mayContain(second), "pruned between its write and the writer's add")
        set.added([second])
        #expect(!set.mayContain(second) && set.count == 0)
        set.added([second])
        #expect(set.mayContain(second))
    }

    @Test("one body sent to two hooks: two deliveries, each later copy the duplicate of its own hook's, from memory or disk")
    func sameKeyUnderTwoHooks() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("deliveries.sqlite")
        let hooks = [try WebhookIntakeTests.github("n={{n}}", name: "gh"), try WebhookIntakeTests.github("n={{n}}", name: "gh2")]
        func intake() throws -> WebhookIntake {
            WebhookIntake(definitions: hooks, store: try DeliveryStore(path: path, keyGenerationSize: 4), dedupeRetention: 3600)
        }
        let first = try intake()
        let body = Array(#"{"n":1}"#.utf8)
        var ids: [String: String] = [:]
        for hook in ["gh", "gh2"] {
            let response = await first.receive(hook: hook, headers: WebhookIntakeTests.githubHeaders(body), body: body, now: Self.now)
            #expect(response.fields["status"] == "accepted", "\(hook): \(response.fields)")
            ids[hook] = response.fields["delivery_id"]
        }
        for n in 2..<6 {  // fills and writes the generation holding both keys
            let other = Array(#"{"n":\#(n)}"#.utf8)
            _ = await first.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(other), body: other, now: Self.now)
        }
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") >= 2)
        let reopened = try intake()
        for hook in ["gh", "gh2"] {
            let again = await reopened.receive(hook: hook, headers: WebhookIntakeTests.githubHeaders(body), body: body,
                                               now: Self.now.addingTimeInterval(60))
            #expect(again.fields["status"] == "duplicate" && again.fields["delivery_id"] == ids[hook], "\(hook): \(again.fields)")
        }
    }

    @Test("pruning pages through more keys than one transaction deletes, across negative and positive fingerprints")
    func pruningPagesThroughManyKeys() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("deliveries.sqlite")
        let store = try Store(path)
        let count = DeliveryStore.pruneChunk * 2 + 101
        _ = try await Self.accept(count, store)
        // Every full generation of 4 is written; the writer may still be writing the last one.
        let full = count / 4 * 4
        let deadline = Date().addingTimeInterval(40)  // a hang catcher only
        while try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") < full, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") == full)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys WHERE prefix < 0") > 0)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys WHERE prefix > 0") > 0)
        let later = Self.now.addingTimeInterval(3600 + 86400 + Double(count) + 1)
        #expect(try store.intake.pruneDeliveries(now: later) == 0)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM delivery_keys") == 0, "every page was visited")
        #expect(store.store.writtenKeys.rowCount == 0)
    }
}
