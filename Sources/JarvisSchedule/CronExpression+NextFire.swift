import Foundation

extension CronExpression {
    /// The first time after `date` the schedule fires, in its time zone.
    ///
    /// Across daylight-saving changes: a local time that does not exist (the hour skipped in spring)
    /// fires at the end of the gap, so a daily job still runs that day; a local time that happens
    /// twice (the hour repeated in autumn) fires once, at its first occurrence.
    public func nextFire(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var day = calendar.startOfDay(for: date)
        // Five years covers every schedule that can fire at all (29 February on a given weekday …).
        for _ in 0..<(366 * 5) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if let year = parts.year, let month = parts.month, let dayOfMonth = parts.day, let weekday = parts.weekday,
               matchesDay(month: month, day: dayOfMonth, weekday: weekday - 1) {
                for hour in hours {
                    for minute in minutes {
                        guard let fire = fireDate(year, month, dayOfMonth, hour, minute, calendar: calendar),
                              fire > date else { continue }
                        return fire
                    }
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = next
        }
        return nil
    }

    /// The instant of a local time on a local day, or the end of the gap when that time was skipped.
    private func fireDate(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int,
                          calendar: Calendar) -> Date? {
        let wanted = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)
        guard let date = calendar.date(from: wanted) else { return nil }
        let actual = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        if actual.day == day, actual.hour == hour, actual.minute == minute { return date }
        // The local time does not exist: fire when the clock jumps past it.
        let probe = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: max(hour - 3, 0))) ?? date
        return timeZone.nextDaylightSavingTimeTransition(after: probe)
    }
}
