/// A compiled glob pattern, anchored on the whole value.
///
/// `*` matches any run of characters within one segment (never the separator),
/// `?` one character of a segment, `[abc]`/`[a-z]`/`[!abc]` one character from a
/// class, `**` any run of characters including separators, and `\x` a literal `x`.
/// A `**` between two separators (`a/**/b`) may also match no directory at all.
/// Matching simulates the pattern as an NFA, so it is linear in the value's length
/// and never backtracks.
struct Glob: Sendable, Equatable {
    /// One element of a compiled pattern.
    enum Token: Sendable, Equatable {
        case literal(Unicode.Scalar)
        case one
        case star
        /// `**`; when `skipsSeparator` the following separator token may be skipped too.
        case globstar(skipsSeparator: Bool)
        /// A command pattern's trailing ` **`: nothing more, or a separator and then anything (the
        /// `globstar` that follows), so `rm **` matches a bare `rm` as well as `rm -rf /x`.
        case tail
        case set(ranges: [ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    /// The character `*`, `?` and classes never match (`/` for paths), or `nil` for none.
    let separator: Unicode.Scalar?
    let tokens: [Token]
    /// How many literal characters the pattern has: the measure of a rule's specificity.
    let literalCount: Int
    /// The pattern as a plain string when it has no wildcards (fast path).
    private let exact: String?
    /// The UTF-8 of the literal characters the pattern starts with: a cheap first test.
    private let prefix: [UInt8]

    /// The separator that stands between command words when matching commands.
    static let wordSeparator: Unicode.Scalar = "\u{1F}"

    /// Compiles `pattern`; throws a human readable problem for malformed classes.
    init(_ pattern: String, separator: Unicode.Scalar?) throws(GlobError) {
        var tokens: [Token] = []
        let scalars = Array(pattern.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "\\" where i + 1 < scalars.count:
                tokens.append(.literal(scalars[i + 1]))
                i += 2
            case "*":
                if i + 1 < scalars.count, scalars[i + 1] == "*" {
                    var end = i + 2
                    while end < scalars.count, scalars[end] == "*" { end += 1 }
                    let before = tokens.last.map { $0 == .literal(separator ?? "\0") } ?? false
                    let after = end < scalars.count && scalars[end] == separator
                    tokens.append(.globstar(skipsSeparator: before && after))
                    i = end
                } else {
                    tokens.append(.star)
                    i += 1
                }
            case "?":
                tokens.append(.one)
                i += 1
            case "[":
                let (token, next) = try Glob.parseClass(scalars, from: i)
                tokens.append(token)
                i = next
            default:
                tokens.append(.literal(c))
                i += 1
            }
        }
        self.init(tokens: tokens, separator: separator)
    }

    /// A pattern from its tokens.
    private init(tokens: [Token], separator: Unicode.Scalar?) {
        self.separator = separator
        self.tokens = tokens
        self.literalCount = tokens.reduce(0) { count, token in
            if case .literal = token { return count + 1 }
            return count
        }
        let isExact = tokens.allSatisfy { if case .literal = $0 { true } else { false } }
        var prefix = String.UnicodeScalarView()
        for token in tokens {
            guard case .literal(let c) = token else { break }
            prefix.append(c)
        }
        self.prefix = Array(String(prefix).utf8)
        self.exact = isExact
            ? String(String.UnicodeScalarView(tokens.compactMap { if case .literal(let c) = $0 { c } else { nil } }))
            : nil
    }

    /// A command pattern: whitespace-separated words, `*` never crossing a word boundary, and a
    /// last word `**` matching any number of words, none included.
    static func command(_ pattern: String) throws(GlobError) -> Glob {
        let words = pattern.split(whereSeparator: { $0.isWhitespace })
        guard words.count > 1, words.last == "**" else {
            return try Glob(words.joined(separator: String(wordSeparator)), separator: wordSeparator)
        }
        let head = try Glob(words.dropLast().joined(separator: String(wordSeparator)), separator: wordSeparator)
        return Glob(tokens: head.tokens + [.tail, .globstar(skipsSeparator: false)], separator: wordSeparator)
    }

    /// Whether the whole of `value` matches the pattern.
    func matches(_ value: String) -> Bool {
        if let exact { return exact == value }
        guard value.utf8.starts(with: prefix) else { return false }
        if tokens.count < 64 { return matchesSmall(value) }
        let count = tokens.count
        var current = [Bool](repeating: false, count: count + 1)
        var next = current
        current[0] = true
        close(&current)
        for c in value.unicodeScalars {
            for i in 0...count { next[i] = false }
            var alive = false
            for i in 0..<count where current[i] {
                switch tokens[i] {
                case .literal(let literal):
                    if literal == c { next[i + 1] = true; alive = true }
                case .one:
                    if c != separator { next[i + 1] = true; alive = true }
                case .star:
                    if c != separator { next[i] = true; alive = true }
                case .globstar:
                    next[i] = true
                    alive = true
                case .tail:
                    if c == separator { next[i + 1] = true; alive = true }
                case .set(let ranges, let negated):
                    if c != separator, ranges.contains(where: { $0.contains(c) }) != negated {
                        next[i + 1] = true
                        alive = true
                    }
                }
            }
            guard alive else { return false }
            close(&next)
            swap(&current, &next)
        }
        return current[count]
    }

    /// The same simulation with the states in one 64-bit word, for patterns of under 64 tokens.
    private func matchesSmall(_ value: String) -> Bool {
        let count = tokens.count
        var current = closeSmall(1)
        for c in value.unicodeScalars {
            var next: UInt64 = 0
            var states = current
            while states != 0 {
                let i = states.trailingZeroBitCount
                states &= states - 1
                guard i < count else { continue }
                switch tokens[i] {
                case .literal(let literal):
                    if literal == c { next |= 1 << (i + 1) }
                case .one:
                    if c != separator { next |= 1 << (i + 1) }
                case .star:
                    if c != separator { next |= 1 << i }
                case .globstar:
                    next |= 1 << i
                case .tail:
                    if c == separator { next |= 1 << (i + 1) }
                case .set(let ranges, let negated):
                    if c != separator, ranges.contains(where: { $0.contains(c) }) != negated { next |= 1 << (i + 1) }
                }
            }
            guard next != 0 else { return false }
            current = closeSmall(next)
        }
        return current & (1 << count) != 0
    }

    private func closeSmall(_ states: UInt64) -> UInt64 {
        var states = states
        for i in 0..<tokens.count where states & (1 << i) != 0 {
            switch tokens[i] {
            case .star:
                states |= 1 << (i + 1)
            case .globstar(let skipsSeparator):
                states |= 1 << (i + 1)
                if skipsSeparator { states |= 1 << (i + 2) }
            case .tail:
                states |= 1 << (i + 2)  // nothing more: past the globstar that follows
            default:
                break
            }
        }
        return states
    }

    /// Adds the states reachable without consuming a character (stars matching nothing).
    private func close(_ states: inout [Bool]) {
        for i in 0..<tokens.count where states[i] {
            switch tokens[i] {
            case .star:
                states[i + 1] = true
            case .globstar(let skipsSeparator):
                states[i + 1] = true
                if skipsSeparator { states[i + 2] = true }
            case .tail:
                states[i + 2] = true
            default:
                break
            }
        }
    }

    /// Parses `[...]` starting at `start`; returns the token and the index after `]`.
    private static func parseClass(
        _ s: [Unicode.Scalar], from start: Int
    ) throws(GlobError) -> (Token, Int) {
        var i = start + 1
        var negated = false
        if i < s.count, s[i] == "!" || s[i] == "^" {
            negated = true
            i += 1
        }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var first = true
        while i < s.count {
            var c = s[i]
            if c == "]" && !first { return (.set(ranges: ranges, negated: negated), i + 1) }
            first = false
            if c == "\\", i + 1 < s.count {
                i += 1
                c = s[i]
            }
            if i + 2 < s.count, s[i + 1] == "-", s[i + 2] != "]" {
                let upper = s[i + 2]
                guard c <= upper else {
                    throw GlobError(
                        problem: "character range '\(c)-\(upper)' is backwards; write it as '\(upper)-\(c)'")
                }
                ranges.append(c...upper)
                i += 3
            } else {
                ranges.append(c...c)
                i += 1
            }
        }
        throw GlobError(
            problem: "character class '[' is never closed; close it with ']' or write '\\[' for a literal '['")
    }
}

extension Glob {
    /// Escapes glob metacharacters so that `text` matches only itself.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            if "*?[]\\".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// A pattern that matches nothing, used where compilation cannot fail in practice.
    static let never: Glob = {
        // A class with no members can only be built directly.
        try! Glob("[!\u{0}-\u{10FFFF}]", separator: nil)
    }()
}
