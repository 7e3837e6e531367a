/// Splits shell text into every simple command it would run, so each can be checked alone.
///
/// Separators (`;`, `&&`, `||`, `|`, `&`, newlines), command substitutions (`$(…)`,
/// backticks, also inside double quotes), process substitutions, subshells, brace
/// groups and function bodies all yield their commands; so do the scripts of
/// `sh -c`/`bash -c`/`zsh -c`, `eval`, `su -c` and the command of `find -exec`,
/// recursively (the outer command is kept as well). Single quotes are literal; an
/// unterminated quote, parenthesis or here-document is an error, never a guess.
///
/// Known limits: `case … esac` patterns and `[[ … ( … ) … ]]` are refused as
/// unparseable; variables and globs are not expanded.
public enum ShellSplitter {
    /// Every simple command in `command`, re-quoted for display (see ``ShellCommand/text``).
    public static func split(_ command: String) throws(ShellParseError) -> [String] {
        try commands(command).map(\.text)
    }

    /// Every simple command in `command`, with words and redirections separated.
    public static func commands(_ command: String) throws(ShellParseError) -> [ShellCommand] {
        try commands(command, depth: 0)
    }

    private static func commands(_ text: String, depth: Int) throws(ShellParseError) -> [ShellCommand] {
        var result: [ShellCommand] = []
        for command in try ShellParser.parse(text, depth: depth) {
            result.append(command)
            try result += nestedCommands(of: command.words, depth: depth)
        }
        return result
    }

    private static func nestedCommands(of words: [String], depth: Int) throws(ShellParseError) -> [ShellCommand] {
        guard depth < ShellParser.maxDepth else { throw ShellParseError("commands are nested too deeply") }
        var result: [ShellCommand] = []
        for nested in CommandUnwrapper.nested(in: words) {
            switch nested {
            case .script(let script):
                result += try commands(script, depth: depth + 1)
            case .command(let inner):
                result.append(ShellCommand(words: inner))
                result += try nestedCommands(of: inner, depth: depth + 1)
            }
        }
        return result
    }
}
