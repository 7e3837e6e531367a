@testable import CmdopPermissions
import Testing

/// A property over generated commands: whenever the splitter finds a denied program in a string,
/// `decide` does not allow it — in bypass, or under an allow-all rule. The strings come from a
/// seeded generator (the same 4,000 every run), built from launchers, separators, quoting,
/// substitutions and redirections around `rm` and harmless programs.
@Suite("The gate never allows a string whose parts include a denied program")
struct GatePropertyTests {
    /// A small deterministic generator (SplitMix64).
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    }

    static let programs = ["rm -rf /tmp/x", "rm", "ls -la", "echo hi", "cat /etc/hosts", "/bin/rm x", "\\rm x", "'rm' x", "r''m x"]
    static let launchers = ["", "sudo ", "env ", "env -i ", "nice -n 5 ", "timeout 5 ", "setsid ", "nohup ", "command ",
                            "xargs ", "busybox ", "flock /tmp/l ", "taskset -c 0 ", "stdbuf -oL ", "time ", "exec "]
    /// Shapes a command is put in; `@` stands for the command.
    static let wrappers = [
        "@", "(@)", "{ @; }", "echo $(@)", "echo `@`", "sh -c '@'", "bash -c \"@\"", "if true; then @; fi", "@ &",
        "@ > /tmp/out", "true && @", "false || @", "@ | cat", "cat <(@)",
    ]

    static func generate(_ generator: inout Generator) -> String {
        var text = ""
        for index in 0..<Int(1 + generator.next() % 3) {
            if index > 0 { text += generator.pick(["; ", " && ", " || ", " | ", "\n"]) }
            let command = generator.pick(launchers) + generator.pick(programs)
            let inner = generator.pick(wrappers).replacingOccurrences(of: "@", with: command)
            text += generator.pick(wrappers).replacingOccurrences(of: "@", with: inner)
        }
        return text
    }

    @Test("4,000 generated strings: a denied program found is never allowed")
    func neverAllowsFoundDenials() {
        var generator = Generator(state: 0xC0FF_EE00_5EED)
        let gates = [Fixture.gate(.bypass, deny: ["execute_command(rm **)"]),
                     Fixture.gate(.default, allow: ["execute_command(**)"], deny: ["execute_command(rm **)"])]
        var found = 0
        for _ in 0..<4000 {
            let text = Self.generate(&generator)
            guard let parts = try? ShellSplitter.commands(text) else { continue }
            let containsRm = parts.contains { part in
                CommandUnwrapper.forms(of: part.words).contains { form in
                form.first.map { !CommandUnwrapper.isAssignment($0) && CommandUnwrapper.program($0) == "rm" } ?? false
            }
            }
            guard containsRm else { continue }
            found += 1
            for gate in gates {
                let decision = gate.decide(.command(text))
                #expect(decision.decision != .allow, "allowed \(text.debugDescription): \(decision.reason)")
            }
        }
        // The generator must keep producing the case the property is about.
        #expect(found > 1000, "only \(found) generated strings contained rm")
    }
}
