/// Peels environment assignments and transparent wrappers (`sudo`, `env`, `nice`, …) off a
/// command, and finds the commands hidden inside `sh -c`, `eval` and `find -exec`.
enum CommandUnwrapper {
    /// A command that runs the rest of its arguments as another command.
    struct Wrapper: Sendable {
        /// Options that consume the following word.
        var optionsWithArgument: Set<String> = []
        /// Whether `NAME=value` words may follow the options (`env`, `sudo`).
        var takesAssignments = false
        /// Plain arguments before the wrapped command (`timeout 10 cmd`).
        var positionalArguments = 0
    }

    /// The wrappers stripped before matching, by program name.
    static let wrappers: [String: Wrapper] = [
        "sudo": Wrapper(
            optionsWithArgument: ["-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T",
                                  "--user", "--group", "--host", "--prompt", "--chdir", "--role", "--type",
                                  "--other-user", "--close-from", "--command-timeout"],
            takesAssignments: true),
        "doas": Wrapper(optionsWithArgument: ["-u", "-C"]),
        "env": Wrapper(
            optionsWithArgument: ["-u", "-C", "--unset", "--chdir"], takesAssignments: true),
        "nice": Wrapper(optionsWithArgument: ["-n", "--adjustment"]),
        "ionice": Wrapper(optionsWithArgument: ["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"]),
        "nohup": Wrapper(),
        "time": Wrapper(optionsWithArgument: ["-f", "-o", "--format", "--output"]),
        "command": Wrapper(),
        "builtin": Wrapper(),
        "exec": Wrapper(optionsWithArgument: ["-a"]),
        "stdbuf": Wrapper(optionsWithArgument: ["-i", "-o", "-e"]),
        "timeout": Wrapper(optionsWithArgument: ["-s", "-k", "--signal", "--kill-after"], positionalArguments: 1),
        // A brace group opened after a wrapper (`time { …; }`) runs what follows.
        "{": Wrapper(),
        "xargs": Wrapper(optionsWithArgument: [
            "-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--eof",
            "--replace", "--max-lines", "--max-args", "--max-procs", "--max-chars", "--process-slot-var",
        ]),
    ]

    /// Shells whose `-c` argument is a script.
    static let shells: Set<String> = ["sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish"]

    /// The last path component of a program word (`/bin/rm` → `rm`).
    static func program(_ word: String) -> String {
        guard word.contains("/") else { return word }
        return word.split(separator: "/").last.map(String.init) ?? word
    }

    /// Whether `word` is a `NAME=value` assignment.
    static func isAssignment(_ word: String) -> Bool {
        var position = 0
        var plus = false
        for byte in word.utf8 {
            let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            let isDigit = byte >= 0x30 && byte <= 0x39
            if byte == UInt8(ascii: "=") { return position > 0 }
            if plus { return false }
            if byte == UInt8(ascii: "+") && position > 0 {
                plus = true
            } else if !(isLetter || (isDigit && position > 0)) {
                return false
            }
            position += 1
        }
        return false
    }

    /// Every form of `words` a rule may match: as written, after each peeled layer, and
    /// finally with the program reduced to its basename. The last form is what runs.
    static func forms(of words: [String]) -> [[String]] {
        var forms = [words]
        var current = words
        for _ in 0..<16 {
            let stripped = Array(current.drop(while: isAssignment))
            if stripped.count != current.count, !stripped.isEmpty {
                current = stripped
                forms.append(current)
            }
            guard let first = current.first, let wrapper = wrappers[program(first)] else { break }
            let inner = strip(current, wrapper: wrapper)
            guard !inner.isEmpty else { break }
            current = inner
            forms.append(current)
        }
        if let first = current.first, first.contains("/") {
            forms.append([program(first)] + current.dropFirst())
        }
        return forms
    }

    /// The command that actually runs: all wrappers peeled, program as its basename.
    static func unwrapped(_ words: [String]) -> [String] {
        forms(of: words).last ?? words
    }

    /// Removes one wrapper and its options from the front of `words`.
    private static func strip(_ words: [String], wrapper: Wrapper) -> [String] {
        var rest = Array(words.dropFirst())
        var i = 0
        while i < rest.count {
            let word = rest[i]
            if word == "--" {
                i += 1
                break
            }
            if word.hasPrefix("-") && word.count > 1 {
                if word == "-S" || word.hasPrefix("--split-string"), program(words[0]) == "env" {
                    // `env -S 'rm -rf /'`: the string is split into words that take its place.
                    let inline = word.firstIndex(of: "=").map { String(word[word.index(after: $0)...]) }
                    let value = inline ?? (i + 1 < rest.count ? rest[i + 1] : "")
                    let used = min(inline == nil ? 2 : 1, rest.count - i)
                    let split = value.split(whereSeparator: \.isWhitespace).map(String.init)
                    rest.replaceSubrange(i..<(i + used), with: split)
                    continue
                }
                i += wrapper.optionsWithArgument.contains(word) ? 2 : 1
                continue
            }
            if wrapper.takesAssignments && isAssignment(word) {
                i += 1
                continue
            }
            break
        }
        i += wrapper.positionalArguments
        return i < rest.count ? Array(rest[i...]) : []
    }

    /// What a command runs inside itself: a script (`sh -c`, `eval`, `su -c`) or a command
    /// line (`find -exec … ;`).
    enum Nested: Equatable {
        case script(String)
        case command([String])
    }

    /// The commands `words` runs inside itself, after its wrappers are peeled.
    static func nested(in words: [String]) -> [Nested] {
        let command = unwrapped(words)
        guard let first = command.first else { return [] }
        let name = program(first)
        let args = Array(command.dropFirst())
        if name == "eval" { return args.isEmpty ? [] : [.script(args.joined(separator: " "))] }
        if shells.contains(name) { return shellScript(args).map { [.script($0)] } ?? [] }
        if name == "su" || name == "runuser" {
            for (i, arg) in args.enumerated() {
                if (arg == "-c" || arg == "--command"), i + 1 < args.count { return [.script(args[i + 1])] }
                if arg.hasPrefix("--command=") { return [.script(String(arg.dropFirst("--command=".count)))] }
            }
            return []
        }
        if name == "find" { return findExec(args) }
        return []
    }

    /// The script of `sh [options] -c SCRIPT`, if any.
    private static func shellScript(_ args: [String]) -> String? {
        var sawC = false
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "--" { i += 1; break }
            guard arg.hasPrefix("-") || arg.hasPrefix("+"), arg.count > 1 else { break }
            if ["-o", "+o", "-O", "+O", "--rcfile", "--init-file"].contains(arg) {
                i += 2
                continue
            }
            if arg.hasPrefix("-") && !arg.hasPrefix("--") && arg.contains("c") { sawC = true }
            i += 1
        }
        return sawC && i < args.count ? args[i] : nil
    }

    /// The command lines of `find … -exec CMD … ;` (also `-execdir`, `-ok`, `-okdir`).
    private static func findExec(_ args: [String]) -> [Nested] {
        var found: [Nested] = []
        var i = 0
        while i < args.count {
            if ["-exec", "-execdir", "-ok", "-okdir"].contains(args[i]) {
                var j = i + 1
                while j < args.count, args[j] != ";", args[j] != "+" { j += 1 }
                if j > i + 1 { found.append(.command(Array(args[(i + 1)..<j]))) }
                i = j
            }
            i += 1
        }
        return found
    }
}
