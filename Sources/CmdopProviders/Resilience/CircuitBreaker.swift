import Synchronization

/// Stops hammering an endpoint that keeps failing, one breaker per endpoint (base URL).
///
/// Closed: calls pass; `failureThreshold` consecutive endpoint failures (network, timeout, HTTP 5xx, rate limits)
/// open it. Open: calls fail at once with `.circuitOpen` for `openDuration`. Half-open: one probe call passes; its
/// success closes the breaker, its failure opens it again. Client-side errors (bad request, authentication,
/// cancellation) say nothing about the endpoint's health and are ignored.
///
/// Time comes from an injected clock, so tests drive it without sleeping.
public final class CircuitBreaker: Sendable {
    /// The breaker's state.
    public enum State: Sendable, Hashable {
        case closed(consecutiveFailures: Int)
        case open(until: Duration)
        case halfOpen(probeInFlight: Bool)
    }

    /// Consecutive failures that open the breaker.
    public let failureThreshold: Int
    /// How long the breaker stays open before a probe is let through.
    public let openDuration: Duration
    /// What the breaker guards, for messages (e.g. the base URL).
    public let endpoint: String
    private let elapsed: @Sendable () -> Duration
    private let state = Mutex(State.closed(consecutiveFailures: 0))

    /// Creates a closed breaker.
    /// - Parameters:
    ///   - endpoint: what it guards, for messages.
    ///   - failureThreshold: consecutive failures that open it (default 5).
    ///   - openDuration: how long it stays open (default 30 s).
    ///   - clock: the time source (default `ContinuousClock`).
    public init<C: Clock>(
        endpoint: String, failureThreshold: Int = 5, openDuration: Duration = .seconds(30), clock: C
    ) where C.Duration == Duration {
        let origin = clock.now
        self.endpoint = endpoint
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
        self.elapsed = { origin.duration(to: clock.now) }
    }

    /// Creates a closed breaker on the continuous clock.
    public convenience init(endpoint: String, failureThreshold: Int = 5, openDuration: Duration = .seconds(30)) {
        self.init(
            endpoint: endpoint, failureThreshold: failureThreshold, openDuration: openDuration, clock: ContinuousClock())
    }

    /// The current state.
    public var currentState: State { state.withLock { $0 } }

    /// Asks to make a call.
    /// - Throws: ``ProviderError`` `.circuitOpen` while the breaker is open or a probe is already in flight.
    public func acquire(provider: String) throws {
        let now = elapsed()
        let refusal: Duration? = state.withLock { state in
            switch state {
            case .closed:
                return nil
            case .open(let until):
                if now >= until {
                    state = .halfOpen(probeInFlight: true)
                    return nil
                }
                return until - now
            case .halfOpen(let probeInFlight):
                if probeInFlight { return openDuration }
                state = .halfOpen(probeInFlight: true)
                return nil
            }
        }
        if let wait = refusal {
            throw ProviderError(
                code: .circuitOpen(retryAfter: wait),
                message: "Calls to \(endpoint) are paused for \(WireErrors.formatted(wait)) after "
                    + "\(failureThreshold) failures in a row; the endpoint looks down. Check that it is running "
                    + "(`cmdop llm doctor --provider \(provider)`), or rely on a fallback provider.",
                provider: provider)
        }
    }

    /// Records a successful call: the breaker closes.
    public func recordSuccess() {
        state.withLock { $0 = .closed(consecutiveFailures: 0) }
    }

    /// Records a failed call; only endpoint failures count.
    public func record(_ error: ProviderError) {
        switch error.code.kind {
        case .network, .timeout, .server, .rateLimited:
            recordFailure()
        case .cancelled:
            // A cancelled probe proves nothing: let the next call probe.
            state.withLock { state in
                if case .halfOpen = state { state = .halfOpen(probeInFlight: false) }
            }
        case .authentication, .badRequest, .contextLengthExceeded, .decoding:
            recordSuccess()
        case .circuitOpen:
            break
        }
    }

    private func recordFailure() {
        let now = elapsed()
        state.withLock { state in
            switch state {
            case .closed(let failures):
                state = failures + 1 >= failureThreshold
                    ? .open(until: now + openDuration) : .closed(consecutiveFailures: failures + 1)
            case .halfOpen, .open:
                state = .open(until: now + openDuration)
            }
        }
    }
}
