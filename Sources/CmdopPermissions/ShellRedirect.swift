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
        guard op.contains(Character(">")) else { return false }
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
