import Foundation

/// A token bucket: `burst` tokens, refilled at `perMinute` a minute; each accepted delivery takes one.
struct TokenBucket: Sendable {
    let capacity: Double
    let perMinute: Double
    private(set) var tokens: Double
    private(set) var updatedAt: Date

    init(rateLimit: WebhookDefinition.RateLimit, now: Date) {
        capacity = Double(rateLimit.burst)
        perMinute = Double(rateLimit.perMinute)
        tokens = capacity
        updatedAt = now
    }

    /// Takes a token, or returns how many whole seconds until one is available.
    mutating func take(now: Date) -> Int? {
        let elapsed = max(now.timeIntervalSince(updatedAt), 0)
        tokens = min(capacity, tokens + elapsed * perMinute / 60)
        updatedAt = max(updatedAt, now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return max(Int(((1 - tokens) * 60 / perMinute).rounded(.up)), 1)
    }

    /// Returns a token taken for a delivery that was not stored after all.
    mutating func refund() { tokens = min(capacity, tokens + 1) }
}
