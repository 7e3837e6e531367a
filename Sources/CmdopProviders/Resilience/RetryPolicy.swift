/// When and how long to wait before trying a failed call again: exponential backoff with jitter.
///
/// The delay before retry `n` (1-based) is `min(maxDelay, initialDelay * 2^(n-1))`, of which a random half is
/// jittered away ("equal jitter"), and never less than the server's `retry-after`. A `retry-after` longer than
/// `maxRetryAfter` is not waited out: the error goes to the caller (or the next provider of a fallback chain).
public struct RetryPolicy: Sendable {
    /// Total attempts including the first (cmdop default: 6).
    public var maxAttempts: Int
    /// Delay before the first retry (default 500 ms).
    public var initialDelay: Duration
    /// Cap on any computed delay (default 32 s).
    public var maxDelay: Duration
    /// Longest `retry-after` that is waited out (default 60 s).
    public var maxRetryAfter: Duration
    /// Sleeps; injected so tests need not wait.
    let sleep: @Sendable (Duration) async throws -> Void
    /// Random fraction in `0...1` for jitter.
    let random: @Sendable () -> Double

    /// cmdop's defaults on the continuous clock: 6 attempts, 500 ms … 32 s.
    public static let `default` = RetryPolicy()

    /// No retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Creates a policy on the continuous clock.
    public init(
        maxAttempts: Int = 6, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(32),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.init(
            maxAttempts: maxAttempts, initialDelay: initialDelay, maxDelay: maxDelay, maxRetryAfter: maxRetryAfter,
            clock: ContinuousClock())
    }

    /// Creates a policy sleeping on `clock`.
    public init<C: Clock>(
        maxAttempts: Int = 6, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(32),
        maxRetryAfter: Duration = .seconds(60), clock: C, random: @escaping @Sendable () -> Double = {
            Double.random(in: 0...1)
        }
    ) where C.Duration == Duration {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.sleep = { delay in try await clock.sleep(for: delay) }
        self.random = random
    }

    /// The delay before retry number `retry` (1-based) after `error`, or `nil` when no retry should happen.
    public func delay(beforeRetry retry: Int, after error: ProviderError) -> Duration? {
        guard retry < maxAttempts, error.isRetryable else { return nil }
        if let retryAfter = error.retryAfter, retryAfter > maxRetryAfter { return nil }
        let exponent = min(retry - 1, 30)
        var backoff = initialDelay * (1 << exponent)
        if backoff > maxDelay { backoff = maxDelay }
        let jittered = backoff / 2 + (backoff / 2) * random()
        return max(jittered, error.retryAfter ?? .zero)
    }
}
