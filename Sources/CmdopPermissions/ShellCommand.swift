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
        let parts = words.map(ShellCommand.quote) + redirects.map { redirect in
            let target = ShellCommand.quote(redirect.target)
            return redirect.isDescriptorDuplication ? redirect.op + target : "\(redirect.op) \(target)"
        }
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
