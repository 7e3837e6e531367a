import Synchronization

/// Sums ``CallUsage`` records across calls, overall and per provider/model; safe to share between tasks.
///
/// ```swift
/// let ledger = UsageLedger()
/// for try await event in provider.stream(request) {
///     if case .usage(let usage) = event { ledger.record(usage) }
/// }
/// print(ledger.total.inputTokens, ledger.total.cost)
/// ```
public final class UsageLedger: Sendable {
    /// Summed usage.
    public struct Totals: Sendable, Hashable {
        /// Number of calls recorded.
        public var calls = 0
        /// Prompt tokens.
        public var inputTokens = 0
        /// Generated tokens.
        public var outputTokens = 0
        /// Cost.
        public var cost = 0.0
        /// Wall time.
        public var wallTime = Duration.zero

        /// Empty totals.
        public init() {}

        mutating func add(_ usage: CallUsage) {
            calls += 1
            inputTokens += usage.tokens.inputTokens
            outputTokens += usage.tokens.outputTokens
            cost += usage.cost
            wallTime += usage.wallTime
        }
    }

    /// A provider and model pair that totals are kept for.
    public struct Key: Sendable, Hashable {
        /// Provider name.
        public var provider: String
        /// Model name.
        public var model: String

        /// Creates a key.
        public init(provider: String, model: String) {
            self.provider = provider
            self.model = model
        }
    }

    private let state = Mutex<(total: Totals, byModel: [Key: Totals])>((Totals(), [:]))

    /// Creates an empty ledger.
    public init() {}

    /// Adds one call's usage.
    public func record(_ usage: CallUsage) {
        state.withLock { state in
            state.total.add(usage)
            state.byModel[Key(provider: usage.provider, model: usage.model), default: Totals()].add(usage)
        }
    }

    /// Totals over every call recorded.
    public var total: Totals { state.withLock { $0.total } }

    /// Totals per provider and model.
    public var byModel: [Key: Totals] { state.withLock { $0.byModel } }
}
