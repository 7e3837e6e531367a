import Testing
@testable import CmdopPermissions

/// Reading, writing and editing `permissions.yaml`.
@Suite("Permission policy")
struct PolicyTests {
    static let example = """
        mode: strict          # default | strict | bypass
        allow: ["execute_command(git *)", "read_file(/var/log/**)"]
        ask:   ["execute_command(systemctl restart *)"]
        deny:  ["execute_command(rm **)"]
        """

    @Test("parses the documented example")
    func parsesExample() throws {
        let policy = try PermissionPolicy(yaml: PolicyTests.example, source: "permissions.yaml")
        #expect(policy.mode == .strict)
        #expect(policy.rules(.allow).map(\.text) == ["execute_command(git *)", "read_file(/var/log/**)"])
        #expect(policy.rules(.ask).map(\.text) == ["execute_command(systemctl restart *)"])
        #expect(policy.rules(.deny).map(\.text) == ["execute_command(rm **)"])
        #expect(policy.rules.map(\.effect) == [.allow, .allow, .ask, .deny])
    }

    @Test("an empty or comment-only file is mode default with no rules", arguments: ["", "# nothing yet\n", "~", "allow:\n"])
    func empty(_ yaml: String) throws {
        let policy = try PermissionPolicy(yaml: yaml, source: "permissions.yaml")
        #expect(policy == PermissionPolicy(mode: .default, rules: []))
    }

    static let errors: [(String, String, String?, Int?)] = [
        ("mdoe: strict", "permissions.yaml: key 'mdoe' is not known; expected one of mode, allow, ask, deny", "mdoe", nil),
        ("mode: strickt", "permissions.yaml: key 'mode' has value 'strickt'; expected one of default, strict, bypass",
         "mode", nil),
        ("mode: [strict]", "permissions.yaml: key 'mode' must be one of default, strict, bypass; found a list", "mode", nil),
        ("allow: execute_command(git *)", "permissions.yaml: key 'allow' must be a list of rules, "
            + "e.g. allow: [\"execute_command(git *)\"]; found the string 'execute_command(git *)'", "allow", nil),
        ("deny:\n  - execute_command(rm **)\n  - execute_command(rm", "permissions.yaml: key 'deny', rule 2: "
            + "'execute_command(rm' has an unbalanced parenthesis: '(' is never closed", "deny", 2),
        ("ask:\n  - {tool: x}", "permissions.yaml: key 'ask', rule 1 must be a string", "ask", 1),
        ("allow: [42]", "permissions.yaml: key 'allow', rule 1 must be a string", "allow", 1),
        ("- execute_command(git *)", "permissions.yaml: the top level must be a mapping with keys mode, allow, ask, deny",
         nil, nil),
        ("mode: strict\nmode: bypass", "permissions.yaml: key 'mode' appears twice", "mode", nil),
        ("allow: [\"git *\"\n", "permissions.yaml: is not valid YAML at line", nil, nil),
    ]

    @Test("errors name the file, the key, the rule and the fix", arguments: errors)
    func errorMessages(_ yaml: String, _ message: String, _ key: String?, _ item: Int?) {
        do {
            _ = try PermissionPolicy(yaml: yaml, source: "permissions.yaml")
            Issue.record("parsed: \(yaml)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
            #expect(error.source == "permissions.yaml")
            #expect(error.key == key)
            #expect(error.item == item)
        }
    }

    @Test("errors carry the line of the offending key")
    func errorLine() {
        #expect(throws: PolicyError.self) { try PermissionPolicy(yaml: "mode: strict\n\nbogus: 1", source: "p.yaml") }
        do {
            _ = try PermissionPolicy(yaml: "mode: strict\n\nbogus: 1", source: "p.yaml")
        } catch {
            #expect(error.line == 3)
        }
    }

    @Test("serialises to YAML that reads back equal")
    func roundTrip() throws {
        let policy = Fixture.policy(
            mode: .bypass,
            allow: ["execute_command(git *)", "*", "read_file(~/notes/**)", "execute_command(echo \"a\\b\" # x: y)"],
            ask: ["run_command(web-*:systemctl restart *)"],
            deny: ["execute_command(rm **)", "write_file(**/[!a-z]*)"])
        let yaml = policy.yaml()
        #expect(try PermissionPolicy(yaml: yaml, source: "t.yaml") == policy)
        let parsed = try PermissionPolicy(yaml: PolicyTests.example, source: "t.yaml")
        #expect(try PermissionPolicy(yaml: parsed.yaml(), source: "t.yaml") == parsed)
    }

    @Test("serialises in a stable, readable layout")
    func layout() {
        let policy = Fixture.policy(mode: .strict, allow: ["execute_command(git *)"], deny: ["execute_command(rm **)"])
        #expect(policy.yaml() == """
            mode: strict
            allow:
              - "execute_command(git *)"
            ask: []
            deny:
              - "execute_command(rm **)"

            """)
    }

    @Test("adds and removes rules")
    func editing() throws {
        let base = Fixture.policy(allow: ["execute_command(git *)"])
        let added = try base.adding("execute_command(rm **)", effect: .deny)
        #expect(added.rules(.deny).map(\.text) == ["execute_command(rm **)"])
        #expect(try added.adding("execute_command(rm **)", effect: .deny) == added)
        #expect(added.removing("execute_command(rm **)") == base)
        #expect(added.removing("execute_command(rm **)", effect: .allow) == added)
        #expect(throws: RuleParseError.self) { try base.adding("execute_command(", effect: .allow) }
    }

    @Test("rules are grouped by effect whatever order they are given in")
    func grouping() throws {
        let rules = [
            try PermissionRule("b", effect: .deny), try PermissionRule("a", effect: .allow),
            try PermissionRule("c", effect: .ask), try PermissionRule("d", effect: .allow),
        ]
        #expect(PermissionPolicy(rules: rules).rules.map(\.text) == ["a", "d", "c", "b"])
    }
}
