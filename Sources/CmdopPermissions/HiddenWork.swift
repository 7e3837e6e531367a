/// Why the gate cannot know, before it runs, what one simple command will run — or nil when it
/// can. A part with hidden work is never allowed by the mode or by a broad rule (the gate asks, and
/// a headless agent refuses); only a rule that names the hidden form itself allows it.
///
/// Hidden: a program word computed at run time (`$X`, `$(…)`, globs, braces); `eval`, `source`,
/// `.` and `alias`; a shell without `-c` or an interpreter without inline code (it reads a script
/// or its input: `… | sh`, `python3 <<EOF`); a launcher with an option the gate does not know,
/// or one that starts a shell; a program path written earlier in the same command (`cp /bin/rm
/// ./del; ./del x`).
enum HiddenWork {
    /// Programs whose real work is text the gate does not parse.
    static let scriptRunners: Set<String> = ["eval", "source", ".", "let", "[[", "(("]

    /// The reason for `unwrapping` (one part's peeled forms); `written` holds the paths earlier
    /// parts of the same command write.
    static func reason(_ unwrapping: CommandUnwrapper.Unwrapping, written: Set<String>) -> String? {
        if let hidden = unwrapping.hidden { return hidden }
        if let variable = steeringVariable(in: unwrapping.forms.first ?? []) {
            return "setting \(variable) changes which program runs or what a shell runs, where the gate cannot see"
        }
        if let word = (unwrapping.forms.first ?? []).first(where: evaluatesText) {
            return "'\(word)' evaluates a value as code in bash (${…@…}), which the gate cannot see"
        }
        guard let program = unwrapping.program, let words = unwrapping.forms.last else { return nil }
        // `[` alone is the test program, not a glob.
        if program != "[", program.contains(where: { "$`*?[{".contains($0) }) || program.isEmpty {
            return "command name '\(program)' is only known at run time"
        }
        let name = CommandUnwrapper.program(program)
        if scriptRunners.contains(name) { return "'\(name)' runs text the gate cannot see" }
        if name == "alias", words.dropFirst().contains(where: { $0.contains(Character("=")) }) {
            return "'alias' gives a program another name the gate cannot follow"
        }
        if (name == "hash" && words.contains("-p")) || (name == "enable" && words.contains("-f")) {
            return "'\(name)' binds a name to a program the gate cannot follow"
        }
        if CommandUnwrapper.shells.contains(name), CommandUnwrapper.nested(in: words).isEmpty,
           !Interpreters.onlyAsksAboutItself(Array(words.dropFirst())) {
            return "'\(name)' without -c runs a script or its input, which the gate cannot see"
        }
        if let reason = Interpreters.hiddenCode(name, arguments: Array(words.dropFirst())) { return reason }
        if written.contains(normalized(program)) {
            return "'\(program)' is written earlier in this same command, so its name says nothing of what it is"
        }
        return nil
    }

    /// Whether bash may run commands hidden in a variable's value while expanding `word`: a
    /// `${…@…}` transformation (`${x@P}` with x='$(rm …)'). Arithmetic on a variable can too, in
    /// bash only (`$((x))` with x='a[$(rm …)]'; dash, Debian's /bin/sh, does not): that is common
    /// enough (`i=$((i+1))`) to leave to the exec-time check, which sees the `rm` it would start.
    static func evaluatesText(_ word: String) -> Bool {
        word.contains(Character("@")) && word.utf8.indices.contains { index in
            word.utf8[index] == UInt8(ascii: "$") && word.utf8[word.utf8.index(after: index)...].first == UInt8(ascii: "{")
        }
    }

    /// Variables that decide which program runs, or make a shell or a program run code of their
    /// choosing (`BASH_ENV=/tmp/x bash -c :`, `PS4='$(rm …)' bash -x`, `LD_PRELOAD=…`, `PATH=/tmp:…`).
    static let steeringVariables: Set<String> = [
        "BASH_ENV", "ENV", "PS1", "PS2", "PS4", "PROMPT_COMMAND", "SHELLOPTS", "BASHOPTS", "PATH", "IFS", "CDPATH",
        "GLOBIGNORE", "BASH_LOADABLES_PATH", "GCONV_PATH", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "PERL5OPT",
        "PERL5LIB", "PERLLIB", "RUBYOPT", "RUBYLIB", "NODE_OPTIONS", "NODE_PATH", "GIT_SSH_COMMAND", "GIT_SSH",
        "GIT_EXEC_PATH", "GIT_PAGER", "GIT_EDITOR", "PAGER", "MANPAGER", "EDITOR", "VISUAL", "BROWSER",
        "SSH_ASKPASS", "SUDO_ASKPASS", "SYSTEMD_PAGER", "LESSOPEN", "LESSCLOSE",
    ]

    /// A steering variable `words` assign (before a command, alone, or through export/declare).
    static func steeringVariable(in words: [String]) -> String? {
        let declarers: Set<String> = ["export", "declare", "typeset", "readonly", "local"]
        var candidates = Array(words.prefix(while: CommandUnwrapper.isAssignment))
        if let first = words.first, declarers.contains(first) { candidates += words.dropFirst() }
        for word in candidates {
            let name = String(word.prefix { $0 != "=" && $0 != "+" })
            if steeringVariables.contains(name) || name.hasPrefix("LD_") { return name }
        }
        return nil
    }

    /// The paths `part` writes or downloads to (for the parts after it).
    static func writes(of part: ShellCommand, unwrapped words: [String]) -> [String] {
        var paths = CommandEffects(part, unwrapped: words).writes
        let program = words.first.map(CommandUnwrapper.program) ?? ""
        let outputOptions: Set<String> = switch program {
        case "curl": ["-o", "--output"]
        case "wget": ["-O", "--output-document"]
        case "cc", "gcc", "g++", "clang", "clang++", "go", "rustc", "swiftc": ["-o"]
        default: []
        }
        for (index, word) in words.enumerated() where outputOptions.contains(word) && index + 1 < words.count {
            paths.append(words[index + 1])
        }
        if program == "chmod" { paths += words.dropFirst().filter { !$0.hasPrefix("-") && !$0.hasPrefix("+") } }
        return paths.map(normalized)
    }

    /// `./del` and `del` name the same file; so do `a//b` and `a/b`.
    static func normalized(_ path: String) -> String {
        var text = path
        guard text.contains(Character("/")) else { return text }
        while text.contains("//") { text = text.replacingOccurrences(of: "//", with: "/") }
        while text.contains("/./") { text = text.replacingOccurrences(of: "/./", with: "/") }
        while text.hasPrefix("./") { text.removeFirst(2) }
        return text
    }
}
