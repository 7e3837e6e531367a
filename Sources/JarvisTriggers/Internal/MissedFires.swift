import Foundation

/// The fires a schedule had between two instants, found without walking every one of them.
struct MissedFires {
    /// The first fire after the last handled one.
    let first: Date
    /// The last fire at or before the limit.
    let latest: Date
    /// How many there were (a lower bound when `isExact` is false).
    let count: Int
    let isExact: Bool

    /// Counting stops here; the latest fire is then found by searching back from the limit.
    static let countLimit = 1000

    /// The fires of `schedule` in (`after`, `limit`]; nil when there are none.
    static func find(_ schedule: TriggerSchedule, after last: Date, upTo limit: Date) -> MissedFires? {
        guard let first = schedule.nextFire(after: last), first <= limit else { return nil }
        switch schedule {
        case .interval(let seconds):
            guard seconds > 0 else { return nil }
            let steps = Int((limit.timeIntervalSince(last) / seconds).rounded(.down))
            return MissedFires(first: first, latest: last.addingTimeInterval(Double(steps) * seconds), count: steps, isExact: true)
        case .cron:
            var latest = first
            var count = 1
            while count < countLimit, let next = schedule.nextFire(after: latest), next <= limit {
                latest = next
                count += 1
            }
            guard count >= countLimit else { return MissedFires(first: first, latest: latest, count: count, isExact: true) }
            return MissedFires(first: first, latest: latestFire(schedule, after: latest, upTo: limit), count: count, isExact: false)
        }
    }

    /// The last fire in (`lower`, `limit`], or `lower` when there is none; searches growing windows back from `limit`.
    private static func latestFire(_ schedule: TriggerSchedule, after lower: Date, upTo limit: Date) -> Date {
        let windows: [TimeInterval] = [3600, 86400, 32 * 86400, 367 * 86400, 5 * 367 * 86400]
        for window in windows {
            let start = max(lower, limit.addingTimeInterval(-window))
            guard var latest = schedule.nextFire(after: start), latest <= limit else { continue }
            var steps = 0
            while steps < 100_000, let next = schedule.nextFire(after: latest), next <= limit {
                latest = next
                steps += 1
            }
            return latest
        }
        return lower
    }

    /// Words for the history row of `missed: skip`.
    func reason(policyHint: Bool) -> String {
        let amount = isExact ? (count == 1 ? "1 fire" : "\(count) fires") : "\(count) or more fires"
        let range = count == 1 ? "at \(Self.format(first))" : "from \(Self.format(first)) to \(Self.format(latest))"
        let hint = policyHint ? "; set `missed: run-once` to run one catch-up after downtime" : ""
        return "missed \(amount) \(range) while the scheduler was not running (missed: skip)\(hint)"
    }

    static func format(_ date: Date) -> String { date.formatted(.iso8601) }
}
