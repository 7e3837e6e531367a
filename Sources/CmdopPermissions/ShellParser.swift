/// A recursive-descent reader of shell text that records every simple command it would run.
///
/// It understands separators (`;`, `&&`, `||`, `|`, `|&`, `&`, newlines), quoting
/// (single, double, `$'…'`, backslash), substitutions (`$(…)`, backticks, `<(…)`,
/// `>(…)`, including inside double quotes and `${…}`), subshells, brace groups,
/// function definitions, comments, redirections and here-documents. Anything it
/// cannot read with certainty is an error, never a guess.
struct ShellParser {
    /// How deeply substitutions and subshells may nest before the text is refused.
    static let maxDepth = 24
    private static let prefixKeywords: Set<String> = ["!", "if", "then", "else", "elif", "do", "while", "until"]
    private static let headerKeywords: Set<String> = ["for", "select", "case", "function"]
    private static let closingKeywords: Set<String> = ["fi", "done", "esac", "{", "}"]

    /// A here-document whose body starts after the current line.
    struct Heredoc {
        let delimiter: String
        let stripTabs: Bool
        let expands: Bool
    }

    let chars: [Unicode.Scalar]
    var index: Int
    let depth: Int
    var commands: [ShellCommand] = []
    private var words: [String] = []
    private var redirects: [ShellRedirect] = []
    var word = String.UnicodeScalarView()
    var inWord = false
    var quoted = false
    var pendingRedirect: String?
    var heredocs: [Heredoc] = []

    /// A parser reading `chars` from `index`, `depth` levels of nesting down.
    init(chars: [Unicode.Scalar], index: Int, depth: Int) throws(ShellParseError) {
        guard depth <= ShellParser.maxDepth else { throw ShellParseError("commands are nested too deeply") }
        self.chars = chars
        self.index = index
        self.depth = depth
    }

    /// Every simple command in `text`, innermost substitutions first.
    static func parse(_ text: String, depth: Int = 0) throws(ShellParseError) -> [ShellCommand] {
        var parser = try ShellParser(chars: Array(text.unicodeScalars), index: 0, depth: depth)
        try parser.parseList(closing: false)
        return parser.commands
    }

    /// The character `offset` places ahead, if any.
    func peek(_ offset: Int) -> Unicode.Scalar? {
        index + offset < chars.count ? chars[index + offset] : nil
    }

    private static func endsWord(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return true }
        return " \t\n;&|)<>".unicodeScalars.contains(c)
    }

    private mutating func append(_ c: Unicode.Scalar) {
        word.append(c)
        inWord = true
    }

    /// Reads commands until the end of the text, or until the `)` that closes this level.
    private mutating func parseList(closing: Bool) throws(ShellParseError) {
        while index < chars.count {
            let c = chars[index]
            let atCommandStart = !inWord && redirects.isEmpty && pendingRedirect == nil
                && words.allSatisfy(ShellParser.prefixKeywords.contains)
            switch c {
            case " ", "\t":  // not \r: the shell reads it as part of a word, and so must the gate
                try finishWord()
                index += 1
            case "\n":
                try endCommand()
                index += 1
                try readHeredocBodies()
            case ";":
                try endCommand()
                index += 1
            case "&":
                if peek(1) == "&" {
                    try endCommand()
                    index += 2
                } else if peek(1) == ">" {
                    try finishWord()
                    try beginRedirect(peek(2) == ">" ? "&>>" : "&>", length: peek(2) == ">" ? 3 : 2)
                } else {
                    try endCommand(background: true)
                    index += 1
                }
            case "|":
                try endCommand()
                index += (peek(1) == "|" || peek(1) == "&") ? 2 : 1
            case "(":
                try openParenthesis(atCommandStart: atCommandStart)
            case ")":
                guard closing else { throw ShellParseError("unmatched ')'") }
                try endCommand()
                index += 1
                return
            case "<", ">":
                if peek(1) == "(" && !inWord {
                    try substitution(skip: 2)
                } else {
                    try redirectOperator()
                }
            case "#" where !inWord:
                while index < chars.count && chars[index] != "\n" { index += 1 }
            case "{" where atCommandStart && ShellParser.endsWord(peek(1)),
                 "}" where atCommandStart && ShellParser.endsWord(peek(1)):
                index += 1
            case "\\":
                if peek(1) == "\n" {
                    index += 2
                } else if let next = peek(1) {
                    append(next)
                    quoted = true
                    index += 2
                } else {
                    append(c)
                    index += 1
                }
            case "'":
                try singleQuoted()
            case "\"":
                index += 1
                try doubleQuoted(untilEnd: false)
            case "`":
                let start = index
                try backtick()
                word.append(contentsOf: chars[start..<index])
                inWord = true
            case "$":
                try dollar(inQuotes: false)
            default:
                append(c)
                index += 1
            }
        }
        try endCommand()
        if closing { throw ShellParseError("unterminated '(' or '$(': missing ')'") }
        if let doc = heredocs.first {
            throw ShellParseError("here-document is never closed: expected a line '\(doc.delimiter)'")
        }
    }

    /// Ends the current word, giving it to a pending redirection or to the command.
    private mutating func finishWord() throws(ShellParseError) {
        guard inWord else { return }
        let text = String(word)
        if let op = pendingRedirect {
            redirects.append(ShellRedirect(op: op, target: text))
            pendingRedirect = nil
            if op.hasSuffix("<<") || op.hasSuffix("<<-") {
                heredocs.append(Heredoc(delimiter: text, stripTabs: op.hasSuffix("-"), expands: !quoted))
            }
        } else {
            words.append(text)
        }
        word = String.UnicodeScalarView()
        inWord = false
        quoted = false
    }

    /// Ends the current simple command, dropping shell keywords that run nothing themselves.
    private mutating func endCommand(background: Bool = false) throws(ShellParseError) {
        try finishWord()
        if let op = pendingRedirect { throw ShellParseError("redirection '\(op)' has no target") }
        var body = words[...]
        while let first = body.first, ShellParser.prefixKeywords.contains(first) { body = body.dropFirst() }
        if body.first == "function" {
            body = body.dropFirst(2)  // `function NAME { cmd …`: the body's first command follows the name
        } else if let first = body.first, ShellParser.headerKeywords.contains(first) {
            body = []
        }
        if body.count == 1, let only = body.first, ShellParser.closingKeywords.contains(only) { body = [] }
        if !body.isEmpty || !redirects.isEmpty {
            commands.append(ShellCommand(words: Array(body), redirects: redirects, background: background))
        }
        words = []
        redirects = []
    }

    private mutating func beginRedirect(_ op: String, length: Int) throws(ShellParseError) {
        if let pending = pendingRedirect { throw ShellParseError("redirection '\(pending)' has no target") }
        pendingRedirect = op
        index += length
    }

    /// Reads `>`, `>>`, `2>&`, `<<-` and friends; a number right before the operator is its descriptor.
    private mutating func redirectOperator() throws(ShellParseError) {
        var prefix = ""
        if inWord && !quoted && !word.isEmpty && word.allSatisfy({ ("0"..."9").contains($0) }) {
            prefix = String(word)
            word = String.UnicodeScalarView()
            inWord = false
        } else {
            try finishWord()
        }
        let candidates = chars[index] == ">" ? [">>", ">|", ">&", ">"] : ["<<<", "<<-", "<<", "<>", "<&", "<"]
        for op in candidates {
            let scalars = Array(op.unicodeScalars)
            if index + scalars.count <= chars.count, Array(chars[index..<index + scalars.count]) == scalars {
                try beginRedirect(prefix + op, length: scalars.count)
                return
            }
        }
    }

    /// `(` opens a subshell at the start of a command, or closes a function header `name()`.
    private mutating func openParenthesis(atCommandStart: Bool) throws(ShellParseError) {
        if atCommandStart {
            var child = try ShellParser(chars: chars, index: index + 1, depth: depth + 1)
            try child.parseList(closing: true)
            commands += child.commands
            index = child.index
            return
        }
        if inWord && word.last == "=" {
            try arrayAssignment()
            return
        }
        let names = words + (inWord ? [String(word)] : [])
        if names.count == 1 || (names.count == 2 && names[0] == "function") {
            var j = index + 1
            while j < chars.count, chars[j] == " " || chars[j] == "\t" { j += 1 }
            guard j < chars.count, chars[j] == ")" else {
                throw ShellParseError("unexpected '(' after '\(names.last ?? "")'")
            }
            index = j + 1
            words = []
            word = String.UnicodeScalarView()
            inWord = false
            quoted = false
            return
        }
        throw ShellParseError("unexpected '(' in the middle of a command")
    }

    /// Runs a nested command list `skip` characters ahead and keeps its source text in the word.
    private mutating func substitution(skip: Int) throws(ShellParseError) {
        let start = index
        try runNested(skip: skip)
        word.append(contentsOf: chars[start..<index])
        inWord = true
    }

    mutating func runNested(skip: Int) throws(ShellParseError) {
        var child = try ShellParser(chars: chars, index: index + skip, depth: depth + 1)
        try child.parseList(closing: true)
        commands += child.commands
        index = child.index
    }

    /// Reads the literal list of `name=(a b c)`; a list that would run anything is refused.
    private mutating func arrayAssignment() throws(ShellParseError) {
        let start = index
        while index < chars.count, chars[index] != ")" {
            if "`$'\"\\(".unicodeScalars.contains(chars[index]) && index > start {
                throw ShellParseError("array assignments with quotes or expansions are not supported")
            }
            index += 1
        }
        guard index < chars.count else { throw ShellParseError("unterminated '(' in array assignment") }
        index += 1
        word.append(contentsOf: chars[start..<index])
    }
}
