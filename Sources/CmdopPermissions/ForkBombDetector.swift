/// Recognises fork bombs in raw shell text: `:(){ :|:& };:` and renamed variants.
///
/// A fork bomb is a function (`name() { … }` or `function name { … }`) whose body
/// calls the function itself at least twice with a pipe or `&` in it. The check runs
/// on the raw text, before any parsing, so it holds even for text that does not parse.
enum ForkBombDetector {
    /// The name of the self-replicating function in `text`, or `nil`.
    static func find(in text: String) -> String? {
        guard text.utf8.contains(UInt8(ascii: "{")) else { return nil }
        let tokens = tokenize(text)
        var i = 0
        while i < tokens.count {
            if let (name, bodyStart) = definition(at: i, in: tokens) {
                var depth = 1
                var j = bodyStart
                var calls = 0
                var spawns = false
                while j < tokens.count, depth > 0 {
                    switch tokens[j] {
                    case "{": depth += 1
                    case "}": depth -= 1
                    case "|", "&": spawns = true
                    case name: calls += 1
                    default: break
                    }
                    j += 1
                }
                if calls >= 2 && spawns { return name }
            }
            i += 1
        }
        return nil
    }

    /// If a function definition starts at `i`, its name and the index of its first body token.
    private static func definition(at i: Int, in tokens: [String]) -> (String, Int)? {
        func token(_ k: Int) -> String? { k < tokens.count ? tokens[k] : nil }
        if token(i) == "function", let name = token(i + 1), !isOperator(name) {
            if token(i + 2) == "{" { return (name, i + 3) }
            if token(i + 2) == "(", token(i + 3) == ")", token(i + 4) == "{" { return (name, i + 5) }
        }
        if let name = token(i), !isOperator(name), token(i + 1) == "(", token(i + 2) == ")", token(i + 3) == "{" {
            return (name, i + 4)
        }
        return nil
    }

    private static func isOperator(_ token: String) -> Bool {
        token.count == 1 && "|&;(){}".contains(token)
    }

    /// Splits on whitespace, with each of `|&;(){}` a token of its own.
    private static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for c in text {
            if c.isWhitespace || "|&;(){}".contains(c) {
                if !current.isEmpty { tokens.append(current) }
                current = ""
                if !c.isWhitespace { tokens.append(String(c)) }
            } else if c != "'" && c != "\"" {
                current.append(c)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
