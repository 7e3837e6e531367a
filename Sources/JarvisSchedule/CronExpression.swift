import Foundation

/// A 5-field cron schedule (minute, hour, day of month, month, day of week) in a time zone.
///
/// Fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n` and `a-b/n`, month names
/// `JAN`…`DEC` and day names `SUN`…`SAT` (0 and 7 are Sunday). Shortcuts: `@yearly` (`@annually`),
/// `@monthly`, `@weekly`, `@daily` (`@midnight`), `@hourly`. As in classic cron, when both day of month
/// and day of week are restricted, a day matching either fires.
public struct CronExpression: Sendable, Equatable {
    public let text: String
    public let timeZone: TimeZone
    let minutes: [Int]
    let hours: [Int]
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Parses `text`.
    /// - Throws: `CronError` saying which field is wrong and what it accepts.
    public init(_ text: String, timeZone: TimeZone = .gmt) throws {
        self.text = text
        self.timeZone = timeZone
        let expanded = Self.shortcuts[text.trimmingCharacters(in: .whitespaces).lowercased()] ?? text
        let fields = expanded.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw CronError("'\(text)' has \(fields.count) fields; a schedule has 5: minute hour day-of-month month day-of-week (e.g. '*/15 * * * *'), or @hourly, @daily, @weekly, @monthly, @yearly")
        }
        minutes = try CronField.parse(fields[0], name: "minute", range: 0...59).sorted()
        hours = try CronField.parse(fields[1], name: "hour", range: 0...23).sorted()
        daysOfMonth = try CronField.parse(fields[2], name: "day-of-month", range: 1...31)
        months = try CronField.parse(fields[3], name: "month", range: 1...12, names: CronField.monthNames)
        let weekdays = try CronField.parse(fields[4], name: "day-of-week", range: 0...7, names: CronField.dayNames)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*" && fields[2] != "?"
        dayOfWeekRestricted = fields[4] != "*" && fields[4] != "?"
    }

    static let shortcuts = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Whether the schedule runs on this local calendar day (month and day rules).
    func matchesDay(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let byMonthDay = daysOfMonth.contains(day)
        let byWeekday = daysOfWeek.contains(weekday)
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return byMonthDay || byWeekday
        case (true, false): return byMonthDay
        case (false, true): return byWeekday
        case (false, false): return true
        }
    }
}

/// A schedule that cannot be parsed, worded for the person who wrote it.
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
