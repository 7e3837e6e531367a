/// Parsing of one cron field into the values it allows.
enum CronField {
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .enumerated().reduce(into: [String: Int]()) { $0[$1.element] = $1.offset + 1 }
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        .enumerated().reduce(into: [String: Int]()) { $0[$1.element] = $1.offset }

    /// The values `text` allows within `range`.
    /// - Throws: `CronError` naming the field, the bad part and the accepted range.
    static func parse(_ text: String, name: String, range: ClosedRange<Int>, names: [String: Int] = [:]) throws -> Set<Int> {
        func fail(_ why: String) -> CronError {
            var accepted = "\(range.lowerBound)-\(range.upperBound)"
            if !names.isEmpty { accepted += " or names like \(names.keys.sorted().prefix(3).joined(separator: ", ")).." }
            return CronError("the \(name) field '\(text)' is invalid: \(why); it takes \(accepted), '*', lists (a,b), ranges (a-b) and steps (*/n)")
        }
        func value(_ token: Substring) throws -> Int {
            if let number = Int(token) {
                guard range.contains(number) else { throw fail("\(number) is out of range") }
                return number
            }
            guard let named = names[token.lowercased()] else { throw fail("'\(token)' is not a number") }
            return named
        }
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw fail("an empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw fail("more than one '/' in '\(part)'") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw fail("the step '\(pieces[1])' is not a positive number") }
                step = parsed
            }
            let base = pieces[0]
            let bounds: ClosedRange<Int>
            if base == "*" || base == "?" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try value(base[..<dash])
                let high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw fail("the range \(low)-\(high) runs backwards") }
                bounds = low...high
            } else {
                let single = try value(base)
                bounds = pieces.count == 2 ? single...range.upperBound : single...single
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return result
    }
}
