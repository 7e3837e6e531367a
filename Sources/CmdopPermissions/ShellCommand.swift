import Foundation

/// One simple command found in shell text: its words (quotes removed) and redirections.
public struct ShellCommand: Sendable, Equatable {
    /// The command's words with quoting removed; a substitution such as `$(date)` stays as written.
    public var words: [String]
    /// The redirections attached to the command, in order.
    public var redirects: [ShellRedirect]
    /// Whether the command was started in the background with `&`.
    public var background: Bool

    public init(words: [String], redirects: [ShellRedirect] = [], background: Bool = false) {
        self.words = words
        self.redirects = redirects
        self.background = background
    }

    /// The command re-quoted for display: words with spaces or quote characters are single-quoted.
    public var text: String {
        let parts = words.map(ShellCommand.quote) + redirects.map { "\($0.op) \(ShellCommand.quote($0.target))" }
        return parts.joined(separator: " ")
    }

    /// Quotes `word` for display when it would not read back as one plain word.
    static func quote(_ word: String) -> String {
        if word.isEmpty { return "''" }
        let plain = word.unicodeScalars.allSatisfy { c in
            !(c.properties.isWhitespace || "'\"\\;&|<>()`#".unicodeScalars.contains(c))
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// A redirection such as `> out.txt`, `2>&1` or `<<EOF`.
public struct ShellRedirect: Sendable, Equatable {
    /// The operator including any file descriptor, e.g. `>`, `2>>`, `&>`, `<<`.
    public var op: String
    /// The word after the operator (for here-documents, the delimiter).
    public var target: String

    public init(op: String, target: String) {
        self.op = op
        self.target = target
    }

    /// Whether the redirection writes (or truncates) its target.
    var writesTarget: Bool {
        guard op.contains(">") else { return false }
        return !isDescriptorDuplication
    }

    /// Whether the redirection reads its target as a file (`<`, `<>`, not here-documents or here-strings).
    var readsTarget: Bool {
        let bare = op.drop(while: { $0.isNumber })
        return (bare == "<" || bare == "<>")
    }

    /// `2>&1`, `>&-`, `<&3`: points one descriptor at another rather than at a file.
    var isDescriptorDuplication: Bool {
        guard op.hasSuffix(">&") || op.hasSuffix("<&") else { return false }
        return target == "-" || (!target.isEmpty && target.allSatisfy(\.isNumber))
    }

    /// Harmless plumbing (`2>&1`, `>/dev/null`) that rules need not see.
    var isBenign: Bool {
        isDescriptorDuplication || target == "/dev/null"
    }
}

/// Why shell text could not be split into commands safely.
public struct ShellParseError: Error, Equatable, CustomStringConvertible {
    /// What was wrong, e.g. `unterminated single quote`.
    public var problem: String

    public init(_ problem: String) {
        self.problem = problem
    }

    public var description: String { problem }
}
