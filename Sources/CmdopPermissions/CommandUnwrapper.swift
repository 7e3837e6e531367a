/// Peels environment assignments and launchers (`sudo`, `env`, `timeout`, `flock`, … — see
/// `Launchers`) off a command, and finds the commands hidden inside `sh -c`, `eval`, `trap`,
/// `find -exec` and launchers that run a script (`flock -c`, `su -c`, `watch`, `ssh host …`).
enum CommandUnwrapper {
    /// What peeling found.
    struct Unwrapping: Sendable {
        /// Every form a rule may match: as written, after each peeled layer, and finally with the
        /// program reduced to its basename. The last form is what runs.
        var forms: [[String]]
        /// The program word of what runs, as written (before the basename form).
        var program: String?
        /// A script a launcher runs (`flock F -c 'cmd'`), split and checked as commands of its own.
        var script: String?
        /// Why what runs cannot be seen (a launcher option the gate does not know, `ssh` without a command).
        var hidden: String?
    }

    /// Shells whose `-c` argument is a script; without `-c` they run a script the gate cannot see.
    static let shells: Set<String> = ["sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "rbash", "rksh", "posh",
                                      "yash", "tcsh", "csh", "busybox-sh"]

    /// Peels `words` layer by layer (at most 16).
    static func unwrap(_ words: [String]) -> Unwrapping {
        var forms = [words]
        var current = words
        var script: String?
        var hidden: String?
        peeling: for _ in 0..<16 {
            let stripped = Array(current.drop(while: isAssignment))
            if stripped.count != current.count, !stripped.isEmpty {
                current = stripped
                forms.append(current)
            }
            // `coproc NAME { …; }`: the name is not a command.
            if current.first == "coproc", current.count > 2, current[2] == "{" { current = Array(current[2...]) }
            guard let first = current.first, let launcher = Launchers.launcher(for: program(first)) else { break }
            switch launcher.inner(of: current, name: program(first)) {
            case .command(let inner):
                current = inner
                forms.append(current)
            case .script(let text):
                script = text
                break peeling
            case .nothing:
                break peeling
            case .hidden(let reason):
                hidden = reason
                break peeling
            }
        }
        // Nothing but assignments (`x=$(date)`): no program runs (a substitution is a part of its own).
        let program = current.allSatisfy(isAssignment) ? nil : current.first
        if let first = program, first.contains(Character("/")) {
            forms.append([self.program(first)] + current.dropFirst())
        }
        return Unwrapping(forms: forms, program: program, script: script, hidden: hidden)
    }

    /// The last path component of a program word (`/bin/rm` → `rm`).
    static func program(_ word: String) -> String {
        guard word.contains(Character("/")) else { return word }
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

    /// Every form of `words` a rule may match (see ``Unwrapping/forms``).
    static func forms(of words: [String]) -> [[String]] { unwrap(words).forms }

    /// The command that actually runs: all launchers peeled, program as its basename.
    static func unwrapped(_ words: [String]) -> [String] {
        forms(of: words).last ?? words
    }

    /// What a command runs inside itself: a script (`sh -c`, `eval`, `su -c`) or a command
    /// line (`find -exec … ;`).
    enum Nested: Equatable {
        case script(String)
        case command([String])
    }

    /// The commands `words` runs inside itself, after its launchers are peeled.
    static func nested(in words: [String]) -> [Nested] {
        let unwrapping = unwrap(words)
        if let script = unwrapping.script { return [.script(script)] }
        let command = unwrapping.forms.last ?? words
        guard let first = command.first else { return [] }
        let name = program(first)
        let args = Array(command.dropFirst())
        if name == "eval" { return args.isEmpty ? [] : [.script(args.joined(separator: " "))] }
        if shells.contains(name) { return shellScript(args).map { [.script($0)] } ?? [] }
        if name == "trap" { return trapAction(args).map { [.script($0)] } ?? [] }
        if name == "find" { return findExec(args) }
        return []
    }

    /// The action of `trap [--] ACTION SIGNAL…`, if it sets one.
    private static func trapAction(_ args: [String]) -> String? {
        let rest = args.first == "--" ? Array(args.dropFirst()) : args
        guard rest.count >= 2, let action = rest.first, !action.isEmpty, action != "-", !action.hasPrefix("-") else { return nil }
        return action
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
            if arg.hasPrefix("-") && !arg.hasPrefix("--") && arg.contains(Character("c")) { sawC = true }
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
