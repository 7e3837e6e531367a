import ArgumentParser
import Foundation
import JarvisAudit

/// `cmdop audit [--since] [--json]` and `cmdop audit verify`: jarvis's hash-chained audit log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show or verify jarvis's hash-chained audit log.",
        subcommands: [Show.self, Verify.self], defaultSubcommand: Show.self)

    struct Location: ParsableArguments {
        @Option(help: "The data directory (default ~/.local/share/cmdop).")
        var dataDir: String?

        func chain() throws -> AuditChain {
            let path = DataDirectory(override: dataDir).path + "/jarvis/audit.db"
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure("\(path): no audit log yet; jarvis writes it as it runs")
            }
            return try AuditChain(path: path)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print records, oldest first.")
        @OptionGroup var location: Location
        @Option(help: "Only records at or after this RFC 3339 time, e.g. 2026-11-25T00:00:00Z.") var since: String?
        @Option(name: .customLong("run"), help: "Only records of this run.") var runID: String?
        @Flag(help: "One JSON object per line (JSONL), for export.") var json = false

        func run() throws {
            let records = try location.chain().records(since: since, runID: runID)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for record in records {
                if json {
                    print(String(decoding: try encoder.encode(record), as: UTF8.self))
                } else {
                    let details = record.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    print(([String(record.seq), record.ts, record.kind, record.runID, record.actor, record.target] + details)
                        .filter { !$0.isEmpty }.joined(separator: "  "))
                }
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that no record was edited or removed; exits 1 if one was.")
        @OptionGroup var location: Location

        func run() throws {
            let chain = try location.chain()
            if let problem = try chain.verify() {
                Terminal.warn("audit log is NOT intact: \(problem)")
                throw ExitCode(1)
            }
            print("audit log intact: \(try chain.records().count) records, every hash and link checks out")
        }
    }
}
