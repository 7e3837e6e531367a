/// Interpreters and the options that give them their code inline. Inline code is visible text, so
/// the interpreter is the program rules match (deny the interpreter to stop what its code does
/// without starting a program); a script file or standard input is not, so that work is hidden.
enum Interpreters {
    /// By program name: the options whose argument is the code.
    static let inlineCode: [String: Set<String>] = [
        "python": ["-c"], "python2": ["-c"], "python3": ["-c"], "pypy": ["-c"], "pypy3": ["-c"],
        "perl": ["-e", "-E"], "ruby": ["-e"], "node": ["-e", "--eval", "-p", "--print"], "nodejs": ["-e", "--eval", "-p", "--print"],
        "php": ["-r"], "lua": ["-e"], "luajit": ["-e"], "Rscript": ["-e"], "tclsh": [], "wish": [], "expect": ["-c"],
        "pwsh": ["-c", "-Command", "-command"], "bun": ["-e", "--eval"], "groovy": ["-e"], "jshell": [], "irb": [],
    ]

    /// Options that only print something about the program itself.
    static let selfQueries: Set<String> = ["--version", "-V", "--help", "-h", "-v"]

    /// Why `name` with `arguments` runs code the gate cannot see, if it is an interpreter that does.
    static func hiddenCode(_ name: String, arguments: [String]) -> String? {
        let key = name.hasPrefix("python") && name.dropFirst(6).allSatisfy({ $0.isNumber || $0 == "." }) ? "python3" : name
        guard let inline = inlineCode[key] else { return nil }
        if arguments.contains(where: { word in inline.contains(where: { word == $0 || word.hasPrefix($0) }) }) {
            return nil
        }
        if onlyAsksAboutItself(arguments) { return nil }
        return "'\(name)' without inline code runs a script or its input, which the gate cannot see"
    }

    /// Whether `arguments` are one query about the program (`--version`), not work.
    static func onlyAsksAboutItself(_ arguments: [String]) -> Bool {
        !arguments.isEmpty && arguments.allSatisfy(selfQueries.contains)
    }
}
