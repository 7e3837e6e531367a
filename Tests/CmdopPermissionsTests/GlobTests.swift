import Testing
@testable import CmdopPermissions

/// Glob matching: segments, depth, classes and anchoring.
@Suite("Glob")
struct GlobTests {
    static let pathCases: [(String, String, Bool)] = [
        ("/var/log/*", "/var/log/syslog", true),
        ("/var/log/*", "/var/log/nginx/access.log", false),
        ("/var/log/**", "/var/log/nginx/access.log", true),
        ("/var/log/**", "/var/log", false),
        ("/var/log/*.log", "/var/log/app.log", true),
        ("/var/log/*.log", "/var/log/app.log.1", false),
        ("/srv/**/config.yml", "/srv/config.yml", true),
        ("/srv/**/config.yml", "/srv/a/b/config.yml", true),
        ("/srv/**/config.yml", "/srv/a/b/other.yml", false),
        ("/tmp/file?.txt", "/tmp/file1.txt", true),
        ("/tmp/file?.txt", "/tmp/file10.txt", false),
        ("/tmp/file?", "/tmp/file/", false),
        ("/tmp/[abc].txt", "/tmp/b.txt", true),
        ("/tmp/[abc].txt", "/tmp/d.txt", false),
        ("/tmp/[!abc].txt", "/tmp/d.txt", true),
        ("/tmp/[a-c]x", "/tmp/bx", true),
        ("/tmp/\\*", "/tmp/*", true),
        ("/tmp/\\*", "/tmp/a", false),
        ("/var/log/*", "/srv/var/log/syslog", false),
        ("/var/log", "/var/log/syslog", false),
    ]

    @Test("path globs: * stays in one component, ** crosses them, anchored on the whole path",
          arguments: pathCases)
    func paths(_ pattern: String, _ value: String, _ expected: Bool) throws {
        #expect(try Glob(pattern, separator: "/").matches(value) == expected)
    }

    static let commandCases: [(String, String, Bool)] = [
        ("git *", "git status", true),
        ("git *", "git push origin main", false),
        ("git **", "git push origin main", true),
        ("git *", "git", false),
        ("git status", "git status --short", false),
        ("git   *", "git status", true),
        ("rm **", "rm -rf /data", true),
        ("rm **", "rm", true),  // ** is any number of words, none included
        ("rm **", "rmdir x", false),
        ("rm **", "rmdir", false),
        ("git push **", "git push", true),
        ("git push **", "git pushy", false),
        ("rm -f **", "rm -f", true),
        ("rm -f **", "rm -fr x", false),
        ("systemctl restart *", "systemctl restart nginx", true),
        ("cat /var/log/*", "cat /var/log/nginx/x", true),
    ]

    @Test("command globs: * is one word, ** any words, whitespace normalised", arguments: commandCases)
    func commands(_ pattern: String, _ value: String, _ expected: Bool) throws {
        let words = value.split(separator: " ").joined(separator: String(Glob.wordSeparator))
        #expect(try Glob.command(pattern).matches(words) == expected)
    }

    @Test("a quoted word with a space is still one word for *")
    func quotedWord() throws {
        let value = ["rm", "my file"].joined(separator: String(Glob.wordSeparator))
        #expect(try Glob.command("rm *").matches(value))
    }

    @Test("malformed classes are errors that say how to fix them")
    func errors() {
        #expect(throws: GlobError.self) { try Glob("/tmp/[abc", separator: "/") }
        #expect(throws: GlobError.self) { try Glob("[z-a]", separator: nil) }
    }

    @Test("long patterns (64 tokens and more) match the same way")
    func longPatterns() throws {
        let directory = "/" + String(repeating: "d", count: 70)
        let glob = try Glob(directory + "/*.log", separator: "/")
        #expect(glob.matches(directory + "/app.log"))
        #expect(!glob.matches(directory + "/sub/app.log"))
        #expect(try Glob(directory + "/**", separator: "/").matches(directory + "/sub/app.log"))
    }

    @Test("literal characters measure specificity")
    func specificity() throws {
        #expect(try Glob("git *", separator: nil).literalCount == 4)
        #expect(try Glob("**", separator: nil).literalCount == 0)
    }
}
