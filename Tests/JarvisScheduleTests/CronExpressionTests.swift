import Foundation
import JarvisSchedule
import Testing

@Suite("Cron schedules")
struct CronExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    static func iso(_ date: Date?) -> String {
        guard let date else { return "nil" }
        return ISO8601DateFormatter().string(from: date)
    }

    @Test("next fire times for lists, ranges, steps, names and shortcuts", arguments: [
        ("*/15 * * * *", "2026-11-25T10:07:00Z", "2026-11-25T10:15:00Z"),
        ("0 9-17/4 * * MON-FRI", "2026-11-25T14:00:00Z", "2026-11-25T17:00:00Z"),
        ("0 9-17/4 * * MON-FRI", "2026-11-27T18:00:00Z", "2026-11-30T09:00:00Z"),
        ("30 2 1,15 * *", "2026-11-15T02:30:00Z", "2026-12-01T02:30:00Z"),
        ("0 0 29 FEB *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("@hourly", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z"),
        ("@weekly", "2026-11-25T10:00:00Z", "2026-11-29T00:00:00Z"),
        ("0 12 13 * FRI", "2026-11-25T00:00:00Z", "2026-11-27T12:00:00Z"),
        ("0 0 * * 7", "2026-11-25T00:00:00Z", "2026-11-29T00:00:00Z"),
    ])
    func nextFire(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(expression, timeZone: Self.utc)
        #expect(Self.iso(cron.nextFire(after: Self.date(after))) == expected)
    }

    @Test("spring forward: a daily 02:30 in Berlin fires at 03:00 on the day 02:30 does not exist")
    func springForward() throws {
        let cron = try CronExpression("30 2 * * *", timeZone: Self.berlin)
        // 2026-03-29: clocks jump from 02:00 CET to 03:00 CEST (01:00Z).
        let fire = cron.nextFire(after: Self.date("2026-03-28T02:00:00Z"))
        #expect(Self.iso(fire) == "2026-03-29T01:00:00Z")
        #expect(Self.iso(cron.nextFire(after: fire!)) == "2026-03-30T00:30:00Z")
    }

    @Test("fall back: a daily 02:30 in Berlin fires once on the day 02:30 happens twice")
    func fallBack() throws {
        let cron = try CronExpression("30 2 * * *", timeZone: Self.berlin)
        // 2026-10-25: 02:30 CEST (00:30Z), then again 02:30 CET (01:30Z).
        let first = cron.nextFire(after: Self.date("2026-10-24T12:00:00Z"))
        #expect(Self.iso(first) == "2026-10-25T00:30:00Z")
        #expect(Self.iso(cron.nextFire(after: first!)) == "2026-10-26T01:30:00Z")
    }

    @Test("an invalid schedule names the field that is wrong", arguments: [
        ("61 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day-of-month"), ("* * * FOO *", "month"),
        ("* * * * MON-SUNDAY", "day-of-week"), ("*/0 * * * *", "minute"), ("5-1 * * * *", "minute"),
        ("* * * *", "a schedule has 5"),
    ])
    func invalid(expression: String, field: String) {
        #expect {
            try CronExpression(expression)
        } throws: { "\($0)".contains(field) }
    }
}
