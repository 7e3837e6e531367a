import Foundation
import Testing

/// How cmdop ends: a usage error prints the usage and exits 64 (as ArgumentParser does); work that
/// failed — a server that refused or did not answer, a missing file — prints its message alone and
/// exits 1.
@Suite("cmdop's exit status: usage errors 64, failures 1", .timeLimit(.minutes(1)))
struct ExitStatusCLITests {
    typealias CLI = ChatCLITests.CLI

    @Test("arguments wrong as typed: the message, the usage, exit 64", arguments: [
        (["exec", "--", "true"], "no hosts: name one or more, or use --all"),
        (["exec", "web-1", "--all", "--", "true"], "give hosts or --all, not both"),
        (["approvals", "approve", "not an id"], "is not an approval id"),
        (["up", "--umask", "999"], "--umask '999' is not an octal umask"),
    ])
    func usageErrors(arguments: [String], message: String) async throws {
        let cli = try CLI(arguments)
        #expect(await cli.finish() == 64, "\(cli.printed)")
        #expect(cli.printed.contains(message) && cli.printed.contains("Usage:"), "\(cli.printed)")
    }

    @Test("work that failed: the message alone, exit 1")
    func failures() async throws {
        let folder = FileManager.default.temporaryDirectory.path + "/cmdop-exit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases: [([String], String)] = [
            (["approvals", "list", "--jarvis", "http://127.0.0.1:1", "--api-key", "cmdop_x"], "cannot reach jarvis at http://127.0.0.1:1"),
            (["llm", "doctor", "--data-dir", folder], "no providers file"),
            (["audit", "--data-dir", folder], "no audit log yet"),
        ]
        for (arguments, message) in cases {
            let cli = try CLI(arguments)
            #expect(await cli.finish() == 1, "\(arguments): \(cli.printed)")
            #expect(cli.printed.contains("Error: ") && cli.printed.contains(message), "\(arguments): \(cli.printed)")
            #expect(!cli.printed.contains("Usage:"), "\(arguments): \(cli.printed)")
        }
    }

    @Test("the providers.yaml example in `cmdop llm doctor --help` loads")
    func doctorHelpExample() async throws {
        let help = try CLI(["llm", "doctor", "--help"])
        #expect(await help.finish() == 0)
        let lines = help.printed.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.contains("Example providers.yaml:") })
        // The example is the indented block after its heading, up to the first blank line.
        let block = lines[(start + 1)...].prefix { $0.hasPrefix("  ") }
        let yaml = block.map { String($0.dropFirst(2)) }.joined(separator: "\n")
        let path = FileManager.default.temporaryDirectory.path + "/cmdop-example-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The doctor itself reads it: a file it cannot parse fails before any provider is tried.
        let doctor = try CLI(["llm", "doctor", "--config", path, "--provider", "nope"])
        #expect(await doctor.finish() == 1)
        #expect(doctor.printed.contains("no provider 'nope'; known: local, anthropic"), "\(yaml)\n---\n\(doctor.printed)")
    }
}
