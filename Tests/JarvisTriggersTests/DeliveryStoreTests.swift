import CmdopIdentity
import Foundation
import JarvisTriggers
import Testing

@Suite("Delivery store: exactly-once start, finish, replay, pruning")
struct DeliveryStoreTests {
    static func accepted(_ fixture: WebhookIntakeTests.Fixture, _ body: String, delivery: String, at now: Date = Date()) async throws -> Delivery {
        let bytes = Array(body.utf8)
        let response = await fixture.intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(bytes, delivery: delivery),
                                              body: bytes, now: now)
        try #require(response.status == 202, "\(response.fields)")
        return try #require(try fixture.store.delivery(id: response.fields["delivery_id"] ?? ""))
    }

    @Test("markStarted succeeds exactly once, even when raced; a wrong run id never claims it")
    func markStartedOnce() async throws {
        let fixture = try WebhookIntakeTests.Fixture([try WebhookIntakeTests.github("{{n}}")])
        let delivery = try await Self.accepted(fixture, #"{"n":1}"#, delivery: "one")
        #expect(try fixture.store.markStarted(deliveryID: delivery.id, runID: "not-its-run") == false)
        let store = fixture.store
        let wins = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { (try? store.markStarted(deliveryID: delivery.id, runID: delivery.runID)) ?? false }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
        #expect(try store.markStarted(deliveryID: delivery.id, runID: delivery.runID) == false)
        #expect(try store.pendingDeliveries().isEmpty)
        #expect(try store.delivery(id: delivery.id)?.state == .started)
    }

    @Test("pending lists accepted deliveries oldest first; finish records the outcome once started")
    func pendingAndFinish() async throws {
        let fixture = try WebhookIntakeTests.Fixture([try WebhookIntakeTests.github("{{n}}")])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try await Self.accepted(fixture, #"{"n":1}"#, delivery: "one", at: now)
        let second = try await Self.accepted(fixture, #"{"n":2}"#, delivery: "two", at: now.addingTimeInterval(1))
        #expect(try fixture.store.pendingDeliveries().map(\.id) == [first.id, second.id])
        #expect(throws: (any Error).self) { try fixture.store.markFinished(deliveryID: first.id, outcome: .succeeded) }
        #expect(try fixture.store.markStarted(deliveryID: first.id, runID: first.runID, now: now.addingTimeInterval(2)))
        try fixture.store.markFinished(deliveryID: first.id, outcome: .failed(reason: "runner offline"), now: now.addingTimeInterval(5))
        let finished = try #require(try fixture.store.delivery(id: first.id))
        #expect(finished.state == .finished)
        #expect(finished.outcome == .failed(reason: "runner offline"))
        #expect(finished.startedAt == now.addingTimeInterval(2) && finished.finishedAt == now.addingTimeInterval(5))
        #expect(try fixture.store.pendingDeliveries().map(\.id) == [second.id])
        #expect(try fixture.store.deliveries(hook: "gh").map(\.id) == [second.id, first.id])
    }

    @Test("replay stores a new delivery with a new run id from a stored one")
    func replay() async throws {
        let fixture = try WebhookIntakeTests.Fixture([try WebhookIntakeTests.github("n={{n}}")])
        let original = try await Self.accepted(fixture, #"{"n":7}"#, delivery: "seven")
        _ = try fixture.store.markStarted(deliveryID: original.id, runID: original.runID)
        let copy = try fixture.intake.replay(deliveryID: original.id)
        #expect(copy.id != original.id && copy.runID != original.runID)
        #expect(copy.replayOf == original.id)
        #expect(copy.body == original.body && copy.prompt == "n=7" && copy.state == .accepted)
        #expect(copy.senderDeliveryID == nil)
        #expect(try fixture.store.pendingDeliveries().map(\.id) == [copy.id])
        #expect(throws: (any Error).self) { try fixture.intake.replay(deliveryID: "no-such-delivery") }
    }

    @Test("a delivery id past the retention is new again; a redelivery within it is still a duplicate")
    func dedupeRetention() async throws {
        let fixture = try WebhookIntakeTests.Fixture([try WebhookIntakeTests.github("{{n}}")], dedupeRetention: 3600)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await Self.accepted(fixture, #"{"n":1}"#, delivery: "old", at: now)
        _ = try await Self.accepted(fixture, #"{"n":2}"#, delivery: "new", at: now.addingTimeInterval(3000))
        // GitHub deliveries are the same when their signed bodies are: the second body is still remembered.
        let body = Array(#"{"n":2}"#.utf8)
        let again = await fixture.intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body, delivery: "other"), body: body,
                                           now: now.addingTimeInterval(3601))
        #expect(again.fields["status"] == "duplicate")
        let first = Array(#"{"n":1}"#.utf8)
        let forgotten = await fixture.intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(first, delivery: "old"), body: first,
                                               now: now.addingTimeInterval(3601))
        #expect(forgotten.fields["status"] == "accepted")
        #expect(try fixture.count("deliveries") == 3)
    }

    @Test("pruning deletes finished deliveries past the retention, never one waiting for or running its run")
    func prune() async throws {
        let folder = try TemporaryFolder()
        let store = try DeliveryStore(path: folder.sub("deliveries.sqlite"))
        let intake = WebhookIntake(definitions: [try WebhookIntakeTests.github("{{n}}")], store: store,
                                   dedupeRetention: 3600, deliveryRetention: 86400)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func accept(_ n: Int, at time: Date) async throws -> Delivery {
            let body = Array(#"{"n":\#(n)}"#.utf8)
            let response = await intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body), body: body, now: time)
            try #require(response.status == 202, "\(response.fields)")
            return try #require(try store.delivery(id: response.fields["delivery_id"] ?? ""))
        }
        let finished = try await accept(1, at: now)
        let running = try await accept(2, at: now)
        let waiting = try await accept(3, at: now)
        let recent = try await accept(4, at: now.addingTimeInterval(86400))
        for delivery in [finished, recent] {
            #expect(try store.markStarted(deliveryID: delivery.id, runID: delivery.runID))
            try store.markFinished(deliveryID: delivery.id, outcome: .succeeded)
        }
        #expect(try store.markStarted(deliveryID: running.id, runID: running.runID))
        #expect(try intake.pruneDeliveries(now: now.addingTimeInterval(86401)) == 1)
        #expect(try store.delivery(id: finished.id) == nil)
        for kept in [running, waiting, recent] { #expect(try store.delivery(id: kept.id) != nil) }
        #expect(try store.pendingDeliveries().map(\.id) == [waiting.id])
    }

    @Test("a hook's replay window keeps its finished deliveries past the delivery retention")
    func pruneKeepsReplayWindow() async throws {
        let folder = try TemporaryFolder()
        let store = try DeliveryStore(path: folder.sub("deliveries.sqlite"))
        let hook = try WebhookIntakeTests.github("{{n}}", replayWindow: 7 * 86400)
        let intake = WebhookIntake(definitions: [hook], store: store, dedupeRetention: 3600, deliveryRetention: 86400)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let body = Array(#"{"n":1}"#.utf8)
        let response = await intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body), body: body, now: now)
        let delivery = try #require(try store.delivery(id: response.fields["delivery_id"] ?? ""))
        #expect(try store.markStarted(deliveryID: delivery.id, runID: delivery.runID))
        try store.markFinished(deliveryID: delivery.id, outcome: .succeeded)
        #expect(try intake.pruneDeliveries(now: now.addingTimeInterval(2 * 86400)) == 0)
        let replayed = await intake.receive(hook: "gh", headers: WebhookIntakeTests.githubHeaders(body), body: body,
                                            now: now.addingTimeInterval(2 * 86400))
        #expect(replayed.fields["status"] == "duplicate")
        #expect(try intake.pruneDeliveries(now: now.addingTimeInterval(8 * 86400)) == 1)
    }
}
