import Testing
@testable import CmdopPermissions

/// The shell splitter on its own: every command the shell would run comes out as a part.
@Suite("Shell splitter")
struct ShellSplitterTests {
    static let splitCases: [(String, [String])] = [
        ("git status", ["git status"]),
        ("  git    status  ", ["git status"]),
        ("echo hi; rm -rf /data", ["echo hi", "rm -rf /data"]),
        ("true && rm -rf /data", ["true", "rm -rf /data"]),
        ("false || rm -rf /data", ["false", "rm -rf /data"]),
        ("cat log | grep x | wc -l", ["cat log", "grep x", "wc -l"]),
        ("sleep 1 & rm -rf /data", ["sleep 1", "rm -rf /data"]),
        ("echo hi\nrm -rf /data", ["echo hi", "rm -rf /data"]),
        ("echo $(rm -rf /data)", ["rm -rf /data", "echo '$(rm -rf /data)'"]),
        ("echo `rm -rf /data`", ["rm -rf /data", "echo '`rm -rf /data`'"]),
        ("(cd /tmp && rm -rf /data)", ["cd /tmp", "rm -rf /data"]),
        ("{ echo a; rm -rf /data; }", ["echo a", "rm -rf /data"]),
        ("echo \"a $(rm -rf /data) b\"", ["rm -rf /data", "echo 'a $(rm -rf /data) b'"]),
        ("echo 'a $(rm -rf /data) b'", ["echo 'a $(rm -rf /data) b'"]),
        ("echo 'a; rm -rf /data'", ["echo 'a; rm -rf /data'"]),
        ("echo a\\; rm -rf /data", ["echo 'a;' rm -rf /data"]),
        ("bash -c 'rm -rf /data'", ["bash -c 'rm -rf /data'", "rm -rf /data"]),
        ("sh -ec \"echo x && rm -rf /data\"", ["sh -ec 'echo x && rm -rf /data'", "echo x", "rm -rf /data"]),
        ("eval rm -rf /data", ["eval rm -rf /data", "rm -rf /data"]),
        ("bash -c \"bash -c 'rm -rf /data'\"",
         ["bash -c 'bash -c '\\''rm -rf /data'\\'''", "bash -c 'rm -rf /data'", "rm -rf /data"]),
        ("find . -name x -exec rm -rf {} \\;", ["find . -name x -exec rm -rf {} ';'", "rm -rf {}"]),
        ("diff <(ls a) <(ls b)", ["ls a", "ls b", "diff '<(ls a)' '<(ls b)'"]),
        ("echo hi > out.txt 2>&1", ["echo hi > out.txt 2>&1"]),
        ("echo hi>/dev/sda", ["echo hi > /dev/sda"]),
        ("ls # ; rm -rf /data", ["ls"]),
        ("if true; then rm -rf /data; fi", ["true", "rm -rf /data"]),
        ("if true; then (rm -rf /data); fi", ["true", "rm -rf /data"]),
        ("for f in a b; do rm $f; done", ["rm $f"]),
        ("f() { rm -rf /data; }; f", ["rm -rf /data", "f"]),
        ("echo $((1 + 2))", ["echo '$((1 + 2))'"]),
        ("r\"m\" -rf /da'ta'", ["rm -rf /data"]),
        ("cat <<EOF > notes.txt\nhello; rm -rf /data\nEOF\necho done", ["cat << EOF > notes.txt", "echo done"]),
        ("cat <<EOF\n$(rm -rf /data)\nEOF", ["cat << EOF", "rm -rf /data"]),
        ("cat <<'EOF'\n$(rm -rf /data)\nEOF", ["cat << EOF"]),
        ("echo a \\\n  b", ["echo a b"]),
        ("", []),
    ]

    @Test("splits compound commands into every part the shell would run", arguments: splitCases)
    func splits(_ input: String, _ expected: [String]) throws {
        #expect(try ShellSplitter.split(input) == expected)
    }

    static let unparseableCases: [(String, String)] = [
        ("echo 'unterminated", "unterminated single quote"),
        ("echo $'a\\x41'", "means different commands to dash"),
        ("echo $'\\' ; rm -rf /data ; echo ' #'", "means different commands to dash"),
        ("echo \"unterminated", "unterminated double quote"),
        ("(rm -rf /data", "missing ')'"),
        ("echo $(rm -rf /data", "missing ')'"),
        ("echo hi)", "unmatched ')'"),
        ("echo `date", "unterminated backtick"),
        ("cat <<EOF\nno end", "here-document is never closed"),
        ("echo >", "has no target"),
        ("echo ${HOME", "unterminated '${'"),
    ]

    @Test("refuses text it cannot read with certainty", arguments: unparseableCases)
    func refuses(_ input: String, _ problem: String) {
        #expect(throws: ShellParseError.self) { try ShellSplitter.split(input) }
        do {
            _ = try ShellSplitter.split(input)
        } catch {
            #expect(error.problem.contains(problem), "\(error.problem)")
        }
    }

    @Test("keeps redirections apart from the words")
    func redirections() throws {
        let commands = try ShellSplitter.commands("2>/dev/null tee -a /tmp/x < in.txt")
        #expect(commands.count == 1)
        #expect(commands[0].words == ["tee", "-a", "/tmp/x"])
        #expect(commands[0].redirects == [
            ShellRedirect(op: "2>", target: "/dev/null"), ShellRedirect(op: "<", target: "in.txt"),
        ])
    }

    @Test("marks background commands")
    func background() throws {
        let commands = try ShellSplitter.commands("sleep 5 & echo done")
        #expect(commands.map(\.background) == [true, false])
    }

    @Test("refuses nesting deeper than the limit")
    func deepNesting() {
        let deep = String(repeating: "$(", count: 40) + "ls" + String(repeating: ")", count: 40)
        #expect(throws: ShellParseError.self) { try ShellSplitter.split(deep) }
    }
}

/// Peeling wrappers so that rules meet the command that actually runs.
@Suite("Command unwrapper")
struct CommandUnwrapperTests {
    static let unwrapCases: [(String, String)] = [
        ("sudo rm -rf /data", "rm -rf /data"),
        ("sudo -u root -E rm -rf /data", "rm -rf /data"),
        ("FOO=1 BAR=2 rm -rf /data", "rm -rf /data"),
        ("env -i PATH=/bin rm x", "rm x"),
        ("nice -n 10 nohup time rm x", "rm x"),
        ("command exec rm x", "rm x"),
        ("xargs -n 1 -I {} rm {}", "rm {}"),
        ("timeout -s KILL 10 rm x", "rm x"),
        ("/bin/rm -rf /data", "rm -rf /data"),
        ("sudo env FOO=1 /usr/bin/git push", "git push"),
        ("env -S 'rm -rf /data'", "rm -rf /data"),
        ("env --split-string=", "env"),
        ("env -vS'rm -rf /data'", "rm -rf /data"),
        ("env -S '-i FOO=1 rm x'", "rm x"),
        ("flock -n /tmp/l rm x", "rm x"),
        ("setsid -f taskset -c 0 chrt -o 0 prlimit --nofile=64 rm x", "rm x"),
        ("/lib64/ld-linux-x86-64.so.2 --library-path /lib /bin/rm x", "rm x"),
        ("busybox rm x", "rm x"),
        ("strace -f -o /dev/null ltrace rm x", "rm x"),
        ("runuser -u root -- rm x", "rm x"),
        ("systemd-run --user --wait rm x", "rm x"),
        ("parallel -j 2 rm ::: a b", "rm"),
        ("nice -5 rm x", "rm x"),
        ("sudo -i", "sudo -i"),
        ("git status", "git status"),
    ]

    @Test("peels env assignments and wrappers", arguments: unwrapCases)
    func unwraps(_ input: String, _ expected: String) throws {
        let words = try #require(try ShellSplitter.commands(input).first).words
        #expect(CommandUnwrapper.unwrapped(words).joined(separator: " ") == expected)
    }

    @Test("keeps every intermediate form so rules on the wrapper still match")
    func forms() {
        let forms = CommandUnwrapper.forms(of: ["sudo", "FOO=1", "/bin/rm", "x"])
        #expect(forms == [["sudo", "FOO=1", "/bin/rm", "x"], ["/bin/rm", "x"], ["rm", "x"]])
    }
}
