/// What one simple command reads and writes, as far as the floor needs to know.
///
/// Writes are redirection targets, `tee` files, `dd of=`, the destination (and for
/// `mv` the sources) of copy-like programs, and the operands of `rm`-like programs.
/// Reads are input redirections, `dd if=` and the operands of programs that print or
/// copy file contents.
struct CommandEffects: Sendable, Equatable {
    /// Programs whose operands are read as file contents.
    static let readers: Set<String> = [
        "cat", "less", "more", "head", "tail", "cp", "scp", "rsync", "base64", "xxd", "od", "hexdump",
        "strings", "nl", "bat", "tac", "tar", "zip", "gzip", "openssl", "ln", "mv", "install",
    ]
    /// Programs that copy their sources to a final destination operand.
    static let copiers: Set<String> = ["cp", "mv", "install", "ln", "rsync", "scp"]
    /// Programs that destroy or truncate their operands.
    static let removers: Set<String> = ["rm", "shred", "truncate", "unlink", "rmdir"]
    /// Options that consume the following word, per program.
    static let optionsWithArgument: [String: Set<String>] = [
        "cp": ["-t", "--target-directory", "-S", "--suffix"],
        "mv": ["-t", "--target-directory", "-S", "--suffix"],
        "ln": ["-t", "--target-directory", "-S", "--suffix"],
        "install": ["-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "--owner", "-g", "--group"],
        "rsync": ["-e", "--rsh", "--exclude", "--include", "--filter", "-f"],
        "scp": ["-P", "-i", "-F", "-o", "-c", "-l", "-S", "-J"],
        "truncate": ["-s", "--size", "-r", "--reference"],
        "head": ["-n", "-c"],
        "tail": ["-n", "-c"],
        "tar": ["-C", "--directory"],
        "shred": ["-n", "--iterations", "-s", "--size"],
    ]

    /// The program that runs, as a basename, after wrappers are peeled.
    let program: String
    /// Its arguments.
    let arguments: [String]
    /// Paths the command writes, as written (not yet resolved).
    private(set) var writes: [String] = []
    /// Paths the command reads the contents of, as written.
    private(set) var reads: [String] = []

    /// The effects of `command`, whose words with wrappers peeled are `unwrapped`.
    init(_ command: ShellCommand, unwrapped words: [String]) {
        program = words.first.map(CommandUnwrapper.program) ?? ""
        arguments = Array(words.dropFirst())
        for redirect in command.redirects {
            if redirect.writesTarget { writes.append(redirect.target) }
            if redirect.readsTarget { reads.append(redirect.target) }
        }
        let (operands, targetDirectory) = CommandEffects.operands(
            arguments, optionsWithArgument: CommandEffects.optionsWithArgument[program] ?? [])
        if program == "tee" {
            writes += operands
        } else if program == "dd" {
            for argument in arguments {
                if argument.hasPrefix("of=") { writes.append(String(argument.dropFirst(3))) }
                if argument.hasPrefix("if=") { reads.append(String(argument.dropFirst(3))) }
            }
        } else if CommandEffects.removers.contains(program) {
            writes += operands
        } else if CommandEffects.copiers.contains(program) {
            var sources = operands
            if let targetDirectory {
                writes.append(targetDirectory)
            } else if operands.count >= 2 {
                writes.append(sources.removeLast())
            }
            if program == "mv" { writes += sources }
            reads += sources
        } else if CommandEffects.readers.contains(program) {
            reads += operands
        }
    }

    /// The non-option arguments, and the value of `-t`/`--target-directory` if given.
    static func operands(
        _ arguments: [String], optionsWithArgument: Set<String>
    ) -> (operands: [String], targetDirectory: String?) {
        var operands: [String] = []
        var target: String?
        var i = 0
        var optionsEnded = false
        while i < arguments.count {
            let argument = arguments[i]
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                operands.append(argument)
            } else if argument == "--" {
                optionsEnded = true
            } else if argument.hasPrefix("--target-directory=") {
                target = String(argument.dropFirst("--target-directory=".count))
            } else if optionsWithArgument.contains(argument) {
                if argument == "-t" || argument == "--target-directory", i + 1 < arguments.count {
                    target = arguments[i + 1]
                }
                i += 1
            }
            i += 1
        }
        return (operands, target)
    }

    /// Whether the arguments ask for a recursive operation (`-r`, `-R`, `-rf`, `--recursive`).
    var isRecursive: Bool {
        for argument in arguments {
            if argument == "--" { break }
            if argument == "--recursive" { return true }
            if argument.hasPrefix("-"), !argument.hasPrefix("--"),
               argument.contains(Character("r")) || argument.contains(Character("R")) {
                return true
            }
        }
        return false
    }
}
