import Foundation
import GRDB
import JarvisAudit
import Testing

@Suite("jarvis's hash-chained audit log")
struct AuditChainTests {
    func chain() throws -> (AuditChain, String) {
        let path = FileManager.default.temporaryDirectory.path + "/cmdop-audit-\(UUID().uuidString).db"
        let chain = try AuditChain(path: path)
        let run = "run-1"
        try chain.append(AuditRecord(kind: "run_started", runID: run, sessionID: "s-1", actor: "operator:cmdop_ab12"))
        try chain.append(AuditRecord(kind: "prompt", runID: run, actor: "operator:cmdop_ab12", details: ["digest": "aa"]))
        try chain.append(AuditRecord(kind: "gate_decision", runID: run, actor: "jarvis", target: "web-1",
                                     details: ["decision": "allow", "tool": "run_command"]))
        try chain.append(AuditRecord(kind: "command", runID: run, actor: "jarvis", target: "web-1",
                                     details: ["exit_code": "0", "output_digest": "bb"]))
        try chain.append(AuditRecord(kind: "run_finished", runID: run, actor: "jarvis"))
        return (chain, path)
    }

    @Test("an untouched chain verifies and links each record to the one before")
    func intact() throws {
        let (chain, _) = try chain()
        #expect(try chain.verify() == nil)
        let records = try chain.records(runID: "run-1")
        #expect(records.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(zip(records.dropFirst(), records).allSatisfy { $0.prevHash == $1.hash })
        #expect(records[0].prevHash == String(repeating: "0", count: 64))
    }

    @Test("an edited record fails verify, naming it", arguments: [
        #"UPDATE audit SET record = replace(record, '"exit_code":"0"', '"exit_code":"1"') WHERE seq = 4"#,
        #"UPDATE audit SET record = replace(record, '"actor":"jarvis"', '"actor":"mallory"') WHERE seq = 3"#,
    ])
    func edited(sql: String) throws {
        let (chain, path) = try chain()
        try DatabaseQueue(path: path).write { try $0.execute(sql: sql) }
        let problem = try #require(try chain.verify())
        if case .altered = problem {} else { Issue.record("expected an altered record, got \(problem)") }
    }

    @Test("a removed record, or a cut tail, fails verify", arguments: [
        "DELETE FROM audit WHERE seq = 2", "DELETE FROM audit WHERE seq = 5",
    ])
    func removed(sql: String) throws {
        let (chain, path) = try chain()
        try DatabaseQueue(path: path).write { try $0.execute(sql: sql) }
        let problem = try #require(try chain.verify())
        if case .missing = problem {} else { Issue.record("expected a missing record, got \(problem)") }
    }

    @Test("a record rewritten with a recomputed hash still breaks the link of the next one")
    func rehashed() throws {
        let (chain, path) = try chain()
        var record = try chain.records()[2]
        record.details["decision"] = "deny"
        // Recompute this record's own hash the way a careful forger would.
        let forged = try AuditChain(path: ":memory:")
        var copy = AuditRecord(kind: record.kind, runID: record.runID, actor: record.actor, target: record.target,
                               details: record.details)
        copy = try forged.append(copy)
        try DatabaseQueue(path: path).write { db in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            copy.seq = 3
            copy.prevHash = record.prevHash
            try db.execute(sql: "UPDATE audit SET record = ?, hash = ? WHERE seq = 3",
                           arguments: [String(decoding: try encoder.encode(copy), as: UTF8.self), copy.hash])
        }
        #expect(try chain.verify() != nil)
    }
}
