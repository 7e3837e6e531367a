import CmdopAgent
import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopTesting
import Foundation
import Testing

/// The gate at exec time on a real agent: commands the static gate allows (an interpreter's inline
/// code, a program under another name) start a denied program, and the supervisor refuses that
/// exec with EPERM inside the command — the canary survives, and the audit log says who tried.
@Suite("The exec supervisor refuses denied programs however they are started", .timeLimit(.minutes(1)))
struct ExecSupervisorTests {
    static let policy = "mode: bypass\ndeny:\n  - \"execute_command(rm **)\"\n  - \"execute_command(curl **)\"\n"
        + "ask:\n  - \"execute_command(ls -la *)\"\n"

    @Test("this machine's kernel offers what the supervisor needs (else every test here would prove nothing)")
    func available() {
        #expect(ExecSupervisor.isAvailable)
    }

    /// Runs `command` (with `CANARY` replaced by a fresh canary file's path) on an agent under the
    /// policy; returns the exit code, the output, whether the canary survived, and the audit log.
    func run(_ command: String, prepare: (String) throws -> Void = { _ in }) async throws
        -> (code: Int32, output: String, survived: Bool, audit: [AuditEntry]) {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let agent = try await mesh.startAgent("web-1", fleet: fleet, permissions: Self.policy)
            let canary = mesh.directory + "/canary"
            FileManager.default.createFile(atPath: canary, contents: Data("alive".utf8))
            try prepare(mesh.directory)
            let output = OutputCollector()
            let result = try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                try await client.exec(on: "web-1", command: command.replacingOccurrences(of: "CANARY", with: canary),
                                      cwd: mesh.directory) { output.add($0) }
            }
            let entries = try AuditLog(path: agent.configuration.paths.auditLog).entries()
            return (result.exitCode, output.stdout + output.stderr, FileManager.default.fileExists(atPath: canary), entries)
        }
    }

    static let started = [
        ("python", "python3 -c 'import subprocess, sys; sys.exit(subprocess.call([\"rm\", \"CANARY\"]))'"),
        ("python through xargs", "python3 -c 'import subprocess, sys; sys.exit(subprocess.run([\"xargs\", \"rm\"], input=b\"CANARY\").returncode)'"),
        ("python through find", "python3 -c 'import subprocess, sys; sys.exit(subprocess.run([\"find\", \"CANARY\", \"-exec\", \"rm\", \"{}\", \";\"]).returncode)'"),
        ("perl", "perl -e 'exit system(\"rm\", \"CANARY\") >> 8'"),
        ("awk", "awk 'BEGIN { exit system(\"rm CANARY\") }'"),
        ("a full path", "python3 -c 'import os; os.execv(\"/usr/bin/rm\", [\"rm\", \"CANARY\"])'"),
        ("the dynamic loader", "python3 -c 'import os, glob; os.execv(glob.glob(\"/lib64/ld-linux*\")[0], [\"ld\", \"/usr/bin/rm\", \"CANARY\"])'"),
        ("busybox-style argv[0]", "python3 -c 'import os; os.execv(\"/usr/bin/rm\", [\"ls\", \"CANARY\"])'"),
    ]

    @Test("an interpreter, xargs and find cannot start rm: EPERM inside the command, the canary lives", arguments: started)
    func startedByOthers(_ how: String, _ command: String) async throws {
        let outcome = try await run(command)
        #expect(outcome.survived, "\(how): the canary was removed: \(outcome.output)")
        // The command hears of it: a failure, or (find carries on) the error it printed.
        #expect(outcome.code != 0 || outcome.output.contains("Operation not permitted"), "\(how): \(outcome.output)")
        let refusal = try #require(outcome.audit.first { $0.event == "exec_denied" }, "\(how): no exec_denied in the audit log")
        #expect(refusal.decision == "deny" && refusal.reason.contains("process chain"), "\(refusal.reason)")
        if refusal.source == "rule" { #expect(refusal.ruleID == Crypto.sha256Hex("execute_command(rm **)"), "\(refusal)") }
    }

    @Test("a copy of rm under another name is still rm, known by its identity")
    func copiedBinary() async throws {
        let folder = FileManager.default.temporaryDirectory.path + "/cmdop-del-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Copied beforehand (as an earlier command would), so the static gate sees only a program named 'del'.
        try FileManager.default.copyItem(atPath: "/usr/bin/rm", toPath: folder + "/del")
        let outcome = try await run("\(folder)/del CANARY")
        #expect(outcome.survived, "\(outcome.output)")
        #expect(outcome.code == 126, "\(outcome.output)")  // the shell's 'permission denied'
        let refusal = try #require(outcome.audit.first { $0.event == "exec_denied" })
        #expect(refusal.source == "identity" && refusal.reason.contains("is rm"), "\(refusal.reason)")
    }

    @Test("a script whose #! interpreter is rm is refused (the kernel would run rm)")
    func shebang() async throws {
        let outcome = try await run("./remover CANARY") { folder in
            try "#!/usr/bin/rm\n".write(toFile: folder + "/remover", atomically: true, encoding: .utf8)
            chmod(folder + "/remover", 0o755)
        }
        #expect(outcome.survived, "\(outcome.output)")
        #expect(outcome.audit.contains { $0.event == "exec_denied" && $0.reason.contains("rm") })
    }

    @Test("a command cannot leave the agent's view of the files: no new namespaces")
    func noNamespaces() async throws {
        let outcome = try await run("unshare -Urm true")
        #expect(outcome.code != 0 && outcome.output.contains("Operation not permitted"), "\(outcome.output)")
    }

    @Test("an ask rule on one use of a program refuses that use at exec time, and only that use")
    func askRuleAtExec() async throws {
        let allowed = try await run("python3 -c 'import subprocess, sys; sys.exit(subprocess.call([\"ls\", \"/\"]))'")
        #expect(allowed.code == 0, "\(allowed.output)")
        let refused = try await run("python3 -c 'import subprocess, sys; sys.exit(subprocess.call([\"ls\", \"-la\", \"/\"]))'")
        #expect(refused.code != 0, "\(refused.output)")
        let entry = try #require(refused.audit.first { $0.event == "exec_denied" })
        #expect(entry.reason.contains("nobody can be asked") && entry.source == "rule", "\(entry)")
    }

    @Test("ordinary programs started the same ways still run")
    func ordinaryStillRuns() async throws {
        let outcome = try await run("python3 -c 'import subprocess; print(subprocess.check_output([\"echo\", \"fine\"]).decode().strip())' && ls CANARY | wc -l")
        #expect(outcome.code == 0, "\(outcome.output)")
        #expect(outcome.output == "fine\n1\n", "\(outcome.output)")
        #expect(!outcome.audit.contains { $0.event == "exec_denied" })
    }
}
