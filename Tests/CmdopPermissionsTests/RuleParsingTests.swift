import Testing
@testable import CmdopPermissions

/// The rule grammar: `tool` or `tool(body)`, body = glob | operation | qualifier:glob.
@Suite("Rule parsing")
struct RuleParsingTests {
    static let valid: [(String, String, String?, String?)] = [
        ("execute_command", "execute_command", nil, nil),
        ("execute_command(git *)", "execute_command", nil, "git *"),
        ("run_command(web-*:systemctl restart *)", "run_command", "web-*", "systemctl restart *"),
        ("execute_command(curl http://*)", "execute_command", nil, "curl http://*"),
        ("write_file(~/projects/**)", "write_file", nil, "~/projects/**"),
        ("ask_machine(prod-1)", "ask_machine", nil, "prod-1"),
        ("*(**)", "*", nil, "**"),
        ("  execute_command( git * )  ", "execute_command", nil, "git *"),
        ("execute_command(echo $(date))", "execute_command", nil, "echo $(date)"),
    ]

    @Test("parses the tool, qualifier and pattern", arguments: valid)
    func parses(_ text: String, _ tool: String, _ qualifier: String?, _ pattern: String?) throws {
        let rule = try PermissionRule(text, effect: .allow)
        #expect(rule.tool == tool)
        #expect(rule.qualifier == qualifier)
        #expect(rule.pattern == pattern)
    }

    static let invalid: [(String, String)] = [
        ("", "the rule is empty"),
        ("(git *)", "has no tool name before '('"),
        ("execute_command(git *", "'(' is never closed; add ')' at the end"),
        ("execute_command git *)", "')' has no '(' before it"),
        ("execute_command(echo ))", "a ')' inside the pattern has no '('"),
        ("execute_command(git *) now", "text after the closing ')': 'now'"),
        ("execute_command()", "empty parentheses; write execute_command to match every call"),
        ("execute command(git *)", "tool name 'execute command'"),
        ("read_file([abc)", "character class '[' is never closed"),
        ("run_command(web-*:)", "nothing after ':'; write run_command(web-*:**)"),
    ]

    @Test("malformed rules say what is wrong and how to write them", arguments: invalid)
    func rejects(_ text: String, _ message: String) {
        do {
            _ = try PermissionRule(text, effect: .deny)
            Issue.record("'\(text)' parsed")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test("typed errors carry the rule")
    func typed() {
        #expect(throws: RuleParseError.emptyToolName(rule: "(git *)")) {
            try PermissionRule("(git *)", effect: .allow)
        }
    }
}
