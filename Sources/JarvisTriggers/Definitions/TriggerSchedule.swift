import Foundation
import JarvisSchedule

/// When a trigger fires: a 5-field cron expression in a time zone, or a fixed interval.
public enum TriggerSchedule: Sendable, Equatable, CustomStringConvertible {
    /// A cron schedule; its time zone decides what "02:30" means across daylight-saving changes.
    case cron(CronExpression)
    /// Every `seconds`, counted from the previous scheduled fire (so jitter does not accumulate).
    case interval(TimeInterval)

    /// The first fire strictly after `date`; nil when a cron schedule can never fire again or an
    /// interval is not positive.
    public func nextFire(after date: Date) -> Date? {
        switch self {
        case .cron(let expression): expression.nextFire(after: date)
        case .interval(let seconds): seconds > 0 ? date.addingTimeInterval(seconds) : nil
        }
    }

    /// The first fire after `previous` that is also after `now`: fires that fell in between are
    /// coalesced (used after a stall, so a late scheduler does not fire a burst).
    func nextFire(after previous: Date, notBefore now: Date) -> Date? {
        switch self {
        case .cron(let expression):
            return expression.nextFire(after: max(previous, now))
        case .interval(let seconds):
            guard seconds > 0 else { return nil }
            let candidate = previous.addingTimeInterval(seconds)
            if candidate > now { return candidate }
            let steps = (now.timeIntervalSince(previous) / seconds).rounded(.down) + 1
            return previous.addingTimeInterval(steps * seconds)
        }
    }

    /// `cron '30 2 * * *' (Europe/Berlin)` or `every 15m`.
    public var description: String {
        switch self {
        case .cron(let expression): "cron '\(expression.text)' (\(expression.timeZone.identifier))"
        case .interval(let seconds): "every \(Self.format(seconds))"
        }
    }

    /// Parses an interval such as `10s`, `15m`, `2h` or `1d` into seconds; nil when malformed.
    public static func parseInterval(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let multiplier = unitSeconds[unit],
              let amount = Int(trimmed.dropLast()), amount > 0 else { return nil }
        return TimeInterval(amount) * multiplier
    }

    static let unitSeconds: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400]

    /// The shortest way to write `seconds` with one unit.
    static func format(_ seconds: TimeInterval) -> String {
        for (unit, size) in [("d", 86400.0), ("h", 3600), ("m", 60)] where seconds >= size && seconds.truncatingRemainder(dividingBy: size) == 0 {
            return "\(Int(seconds / size))\(unit)"
        }
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
