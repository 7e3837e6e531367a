/// Exponential back-off with full jitter for re-connecting to the relay.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30), multiplier: Double = 2) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    /// The wait before attempt `attempt` (0-based): uniformly random in [ceiling/2, ceiling], where the
    /// ceiling grows by `multiplier` per attempt up to `maximum`.
    public func delay(attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let growth = Double.pow(multiplier, Double(min(attempt, 40)))
        let ceiling = min(initial * growth, maximum)
        return ceiling / 2 + ceiling / 2 * random
    }
}

extension Double {
    static func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) { result *= base }
        return result
    }
}
