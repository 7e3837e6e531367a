/// Quoting, expansions and here-documents: the parts of `ShellParser` that read inside a word.
extension ShellParser {
    mutating func singleQuoted() throws(ShellParseError) {
        guard let end = chars[(index + 1)...].firstIndex(of: "'") else {
            throw ShellParseError("unterminated single quote")
        }
        word.append(contentsOf: chars[(index + 1)..<end])
        inWord = true
        quoted = true
        index = end + 1
    }

    /// Reads a double-quoted string (the opening quote already consumed), or a whole
    /// here-document body when `untilEnd`; substitutions inside still run.
    mutating func doubleQuoted(untilEnd: Bool) throws(ShellParseError) {
        inWord = true
        quoted = true
        while index < chars.count {
            let c = chars[index]
            switch c {
            case "\"" where !untilEnd:
                index += 1
                return
            case "\\":
                if let next = peek(1), "$`\"\\\n".unicodeScalars.contains(next) {
                    if next != "\n" { word.append(next) }
                    index += 2
                } else {
                    word.append(c)
                    index += 1
                }
            case "$":
                try dollar(inQuotes: true)
            case "`":
                let start = index
                try backtick()
                word.append(contentsOf: chars[start..<index])
            default:
                word.append(c)
                index += 1
            }
        }
        if !untilEnd { throw ShellParseError("unterminated double quote") }
    }

    /// Handles `$(…)`, `$((…))`, `${…}`, `$'…'`, `$"…"` and a plain `$`.
    mutating func dollar(inQuotes: Bool) throws(ShellParseError) {
        let start = index
        switch peek(1) {
        case "(":
            if peek(2) == "(", let end = arithmeticEnd(from: index + 3) {
                index = end
            } else {
                try runNested(skip: 2)
            }
        case "{":
            try parameterExpansion()
        case "'" where !inQuotes:
            // bash decodes $'…'; dash, /bin/sh on Debian, reads `$` and then a plain '…': the same
            // text is different commands to the two, so it is refused rather than guessed.
            throw ShellParseError("$'…' quoting means different commands to dash (/bin/sh) and bash; use plain quotes")
        case "\"" where !inQuotes:
            index += 2
            try doubleQuoted(untilEnd: false)
            return
        default:
            index += 1
        }
        word.append(contentsOf: chars[start..<index])
        inWord = true
    }

    /// The index after the `))` closing plain arithmetic, or `nil` when it holds anything
    /// that could run a command (then it is read as a nested command list instead).
    func arithmeticEnd(from start: Int) -> Int? {
        var depth = 0
        var j = start
        while j < chars.count {
            switch chars[j] {
            case "(": depth += 1
            case ")":
                if depth == 0 { return j + 1 < chars.count && chars[j + 1] == ")" ? j + 2 : nil }
                depth -= 1
            case "`", "'", "\"", "\\": return nil
            case "$" where j + 1 < chars.count && chars[j + 1] == "(": return nil
            default: break
            }
            j += 1
        }
        return nil
    }

    /// Skips `${…}`, running any command substitutions inside it.
    mutating func parameterExpansion() throws(ShellParseError) {
        index += 2
        var depth = 1
        while index < chars.count {
            switch chars[index] {
            case "{":
                depth += 1
                index += 1
            case "}":
                depth -= 1
                index += 1
                if depth == 0 { return }
            case "\\":
                index += 2
            case "$" where peek(1) == "(":
                try runNested(skip: 2)
            case "`":
                try backtick()
            default:
                index += 1
            }
        }
        throw ShellParseError("unterminated '${'")
    }

    /// Runs the command inside backticks; leaves `index` after the closing backtick.
    mutating func backtick() throws(ShellParseError) {
        var j = index + 1
        var inner = String.UnicodeScalarView()
        while j < chars.count {
            let c = chars[j]
            if c == "`" {
                commands += try ShellParser.parse(String(inner), depth: depth + 1)
                index = j + 1
                return
            }
            if c == "\\", j + 1 < chars.count, "`$\\".unicodeScalars.contains(chars[j + 1]) {
                inner.append(chars[j + 1])
                j += 2
                continue
            }
            inner.append(c)
            j += 1
        }
        throw ShellParseError("unterminated backtick")
    }

    /// Reads the bodies of here-documents whose operators were on the line just ended.
    mutating func readHeredocBodies() throws(ShellParseError) {
        let pending = heredocs
        heredocs = []
        for doc in pending {
            var body = String.UnicodeScalarView()
            var closed = false
            while index < chars.count {
                var end = index
                while end < chars.count && chars[end] != "\n" { end += 1 }
                var line = chars[index..<end]
                index = min(end + 1, chars.count)
                if doc.stripTabs { line = line.drop(while: { $0 == "\t" }) }
                if String(String.UnicodeScalarView(line)) == doc.delimiter {
                    closed = true
                    break
                }
                body.append(contentsOf: line)
                body.append("\n")
            }
            guard closed else {
                throw ShellParseError("here-document is never closed: expected a line '\(doc.delimiter)'")
            }
            if doc.expands {
                var child = try ShellParser(chars: Array(body), index: 0, depth: depth + 1)
                try child.doubleQuoted(untilEnd: true)
                commands += child.commands
            }
        }
    }

    /// Appends the character whose code is written in up to `maxDigits` digits at `index`.
    private mutating func appendCode(radix: UInt32, maxDigits: Int) {
        var value: UInt32 = 0
        var digits = 0
        while digits < maxDigits, index < chars.count,
              let digit = Character(chars[index]).hexDigitValue, UInt32(digit) < radix {
            value = value * radix + UInt32(digit)
            digits += 1
            index += 1
        }
        if digits > 0, let scalar = Unicode.Scalar(value) { word.append(scalar) }
    }
}
