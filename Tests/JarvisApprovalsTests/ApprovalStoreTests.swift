import Foundation
import JarvisApprovals
import Testing

@Suite("Durable approvals")
struct ApprovalStoreTests {
    static let arguments = #"{"command":"systemctl restart nginx","hostname":"web-1"}"#

    func store(_ path: String = FileManager.default.temporaryDirectory.path + "/cmdop-approvals-\(UUID().uuidString).db")
        throws -> (ApprovalStore, String) {
        (try ApprovalStore(path: path), path)
    }

    func ask(_ store: ApprovalStore, now: Date = Date(), timeout: TimeInterval = 60) throws -> Approval {
        try store.request(fleetID: "ops", runID: "run-1", tool: "run_command", arguments: Self.arguments,
                          targets: ["web-1"], reason: "rule ask run_command(web-*:systemctl restart *)",
                          requestedBy: "operator:cmdop_alice", timeout: timeout, now: now)
    }

    @Test("a pending approval survives a restart and can then be approved, for exactly that call")
    func survivesRestart() throws {
        let (first, path) = try store()
        let asked = try ask(first)
        let (reopened, _) = try store(path)
        #expect(try reopened.pending(fleetID: "ops").map(\.id) == [asked.id])
        let approved = try reopened.decide(asked.id, fleetID: "ops", approve: true, by: "operator:cmdop_bob")
        #expect(approved.status == .approved && approved.decidedBy == "operator:cmdop_bob")
        #expect(approved.allows(tool: "run_command", arguments: Self.arguments, targets: ["WEB-1"]))
        #expect(!approved.allows(tool: "run_command", arguments: #"{"command":"systemctl stop nginx","hostname":"web-1"}"#,
                                 targets: ["web-1"]))
        #expect(!approved.allows(tool: "run_command", arguments: Self.arguments, targets: ["web-2"]))
        #expect(try reopened.pending(fleetID: "ops").isEmpty)
    }

    @Test("a denied approval allows nothing, and a decision cannot be changed")
    func denied() throws {
        let (store, _) = try store()
        let asked = try ask(store)
        let denied = try store.decide(asked.id, fleetID: "ops", approve: false, by: "operator:cmdop_bob", reason: "not now")
        #expect(denied.status == .denied && denied.decisionReason == "not now")
        #expect(!denied.allows(tool: "run_command", arguments: Self.arguments, targets: ["web-1"]))
        #expect(throws: ApprovalError.self) {
            try store.decide(asked.id, fleetID: "ops", approve: true, by: "operator:cmdop_carol")
        }
    }

    @Test("an approval nobody decides expires, which denies; a late decision is refused")
    func expires() throws {
        let (store, _) = try store()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let asked = try ask(store, now: start, timeout: 60)
        #expect(try store.expireDue(now: start.addingTimeInterval(59)).isEmpty)
        #expect(try store.expireDue(now: start.addingTimeInterval(61)).map(\.id) == [asked.id])
        #expect(try store.approval(asked.id, fleetID: "ops")?.status == .expired)
        #expect(throws: ApprovalError.self) {
            try store.decide(asked.id, fleetID: "ops", approve: true, by: "operator:cmdop_bob",
                             now: start.addingTimeInterval(62))
        }
    }

    @Test("the requester cannot approve its own request; another fleet cannot see or decide it")
    func selfAndFleet() throws {
        let (store, _) = try store()
        let asked = try ask(store)
        #expect(throws: ApprovalError.self) {
            try store.decide(asked.id, fleetID: "ops", approve: true, by: "operator:cmdop_alice")
        }
        #expect(throws: ApprovalError.self) {
            try store.decide(asked.id, fleetID: "other", approve: true, by: "operator:cmdop_bob")
        }
        #expect(try store.approval(asked.id, fleetID: "other") == nil)
        #expect(try store.pending(fleetID: "other").isEmpty)
    }
}
