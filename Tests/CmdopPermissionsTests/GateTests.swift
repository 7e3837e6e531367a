import Testing
@testable import CmdopPermissions

/// Rules, precedence, layers and modes.
@Suite("Permission gate")
struct GateTests {
    @Test("* matches one command word or path component, ** any number")
    func singleVersusDouble() {
        let gate = Fixture.gate(allow: ["execute_command(git *)", "read_file(/var/log/*)", "read_file(/srv/**)"])
        #expect(gate.decide(.command("git status")).decision == .allow)
        #expect(gate.decide(.command("git push origin main")).decision == .ask)
        #expect(gate.decide(.file("/var/log/syslog", tool: "read_file")).decision == .allow)
        #expect(gate.decide(.file("/var/log/nginx/access.log", tool: "read_file")).decision == .ask)
        #expect(gate.decide(.file("/srv/a/b/c.txt", tool: "read_file")).decision == .allow)
    }

    @Test("patterns are anchored on the whole value")
    func anchoring() {
        let gate = Fixture.gate(allow: ["execute_command(ls)", "read_file(/var/log/*)"])
        #expect(gate.decide(.command("ls")).decision == .allow)
        #expect(gate.decide(.command("ls -la")).decision == .ask)
        #expect(gate.decide(.command("echo ls")).decision == .ask)
        #expect(gate.decide(.file("/srv/var/log/x", tool: "read_file")).decision == .ask)
    }

    @Test("~ expands in patterns and values; relative paths resolve against the working directory")
    func tildeExpansion() {
        let gate = Fixture.gate(allow: ["write_file(~/projects/**)"], deny: ["read_file(/home/u/secrets/**)"])
        #expect(gate.decide(.file("/home/u/projects/app/main.swift", tool: "write_file")).decision == .allow)
        #expect(gate.decide(.file("~/projects/app/main.swift", tool: "write_file")).decision == .allow)
        #expect(gate.decide(.file("Sources/main.swift", tool: "write_file")).decision == .allow)
        #expect(gate.decide(.file("/home/other/projects/x", tool: "write_file")).decision == .ask)
        #expect(gate.decide(.file("~/secrets/token", tool: "read_file")).decision == .deny)
    }

    @Test("'..' cannot climb out of an allowed directory or around a denied one")
    func dotDot() {
        let gate = Fixture.gate(allow: ["read_file(/var/log/**)"], deny: ["write_file(/etc/**)"])
        #expect(gate.decide(.file("/var/log/../../etc/passwd", tool: "read_file")).decision == .ask)
        #expect(gate.decide(.file("../../../../etc/hosts", tool: "write_file")).decision == .deny)
    }

    @Test("a host qualifier limits a rule to matching targets")
    func hostQualifier() {
        let rule = "run_command(web-*:systemctl restart *)"
        let gate = Fixture.gate(allow: [rule])
        let onWeb = gate.decide(.command("systemctl restart nginx", tool: "run_command", target: "web-1"))
        #expect(onWeb == GateDecision(decision: .allow, source: .rule, rule: rule, reason: "rule allow \(rule)"))
        #expect(gate.decide(.command("systemctl restart nginx", tool: "run_command", target: "db-1")).decision == .ask)
        #expect(gate.decide(.command("systemctl stop nginx", tool: "run_command", target: "web-1")).decision == .ask)
        #expect(gate.decide(.command("systemctl restart nginx", tool: "run_command")).decision == .ask)
        let strict = Fixture.gate(.strict, allow: [rule])
        #expect(strict.decide(.command("systemctl restart x", tool: "run_command", target: "db-1")).decision == .deny)
    }

    @Test("without a target the qualifier matches the local host")
    func localHost() {
        let context = GateContext(home: "/home/u", localHost: "web-9")
        let gate = PermissionGate(
            layers: [Fixture.policy(allow: ["run_command(web-*:uptime)"])], mode: .strict, context: context)
        #expect(gate.decide(.command("uptime", tool: "run_command")).decision == .allow)
    }

    @Test("machine tools match on the host name")
    func machines() {
        let gate = Fixture.gate(allow: ["ask_machine(prod-*)"], deny: ["ask_machines(prod-1)"])
        #expect(gate.decide(.machine("prod-1")).decision == .allow)
        #expect(gate.decide(.machine("PROD-2")).decision == .allow)
        #expect(gate.decide(.machine("staging-1")).decision == .ask)
        #expect(gate.decide(.machine("prod-1", tool: "ask_machines")).decision == .deny)
    }

    @Test("a body equal to the operation matches that operation")
    func operations() {
        let gate = Fixture.gate(.strict, allow: ["files(read)"])
        #expect(gate.decide(GateRequest(tool: "files", operation: "read", path: "/etc/hosts")).decision == .allow)
        #expect(gate.decide(GateRequest(tool: "files", operation: "write", path: "/etc/hosts")).decision == .deny)
    }

    @Test("tool names may be globs and bare tool rules match every call")
    func toolGlobs() {
        let gate = Fixture.gate(allow: ["list_dir"], deny: ["*_file(/srv/**)"])
        #expect(gate.decide(.file("/srv/x", tool: "write_file")).decision == .deny)
        #expect(gate.decide(.file("/srv/x", tool: "read_file")).decision == .deny)
        #expect(gate.decide(.command("cat /srv/x")).decision == .ask)
        #expect(gate.decide(.file("/anything", tool: "list_dir")).decision == .allow)
    }

    static let precedence: [(String, Decision, String)] = [
        ("git status", .allow, "execute_command(git *)"),
        ("git push origin", .ask, "execute_command(git push *)"),
        ("git push --force origin", .deny, "execute_command(git push --force *)"),
    ]

    @Test("within a layer deny beats ask beats allow", arguments: precedence)
    func withinLayer(_ command: String, _ expected: Decision, _ rule: String) {
        let gate = Fixture.gate(
            allow: ["execute_command(git *)", "execute_command(git **)"],
            ask: ["execute_command(git push *)"],
            deny: ["execute_command(git push --force *)"])
        let decision = gate.decide(.command(command))
        #expect(decision.decision == expected)
        #expect(decision.source == .rule)
        #expect(decision.rule == rule)
        #expect(decision.reason == "rule \(expected) \(rule)")
    }

    @Test("the most specific rule of the winning effect is reported")
    func mostSpecific() {
        let gate = Fixture.gate(allow: ["execute_command(**)", "execute_command(git status)", "execute_command(git *)"])
        #expect(gate.decide(.command("git status")).rule == "execute_command(git status)")
        #expect(gate.decide(.command("git log")).rule == "execute_command(git *)")
        #expect(gate.decide(.command("make")).rule == "execute_command(**)")
    }

    @Test("the first layer with a matching rule decides")
    func layers() {
        let session = Fixture.policy(allow: ["execute_command(rm /tmp/scratch/*)"], deny: ["execute_command(git push *)"])
        let global = Fixture.policy(allow: ["execute_command(git *)"], deny: ["execute_command(rm **)"])
        let gate = PermissionGate(layers: [session, global], mode: .default, context: Fixture.context)
        #expect(gate.decide(.command("rm /tmp/scratch/a")).decision == .allow)
        #expect(gate.decide(.command("rm /etc/hosts")).decision == .deny)
        #expect(gate.decide(.command("git push origin")).decision == .deny)
        #expect(gate.decide(.command("git status")).decision == .allow)
        let reversed = PermissionGate(layers: [global, session], mode: .default, context: Fixture.context)
        #expect(reversed.decide(.command("rm /tmp/scratch/a")).decision == .deny)
    }

    static let modes: [(PermissionMode, Decision)] = [(.default, .ask), (.strict, .deny), (.bypass, .allow)]

    @Test("unmatched requests get the mode's default", arguments: modes)
    func modeDefaults(_ mode: PermissionMode, _ expected: Decision) {
        let gate = Fixture.gate(mode, allow: ["execute_command(git *)"])
        let decision = gate.decide(.command("make build"))
        #expect(decision == GateDecision(
            decision: expected, source: .mode, reason: "mode \(mode.rawValue): no rule matched"))
        #expect(gate.decide(.file("/x", tool: "write_file")).decision == expected)
        #expect(gate.decide(.machine("db-1")).decision == expected)
    }

    @Test("a gate over one policy uses the policy's mode")
    func policyMode() {
        let gate = PermissionGate(policy: Fixture.policy(mode: .strict), context: Fixture.context)
        #expect(gate.mode == .strict)
        #expect(gate.decide(.command("ls")).decision == .deny)
    }

    @Test("decisions combine by strictness")
    func decisionOrder() {
        #expect(Decision.allow < .ask && Decision.ask < .deny)
        #expect([Decision.allow, .deny, .ask].max() == .deny)
        #expect(Decision(name: "ask") == .ask && Decision(name: "maybe") == nil)
    }
}
