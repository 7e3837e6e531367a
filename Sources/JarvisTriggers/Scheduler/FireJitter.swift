import Foundation
import Synchronization

/// How late the launcher was called, over many fires on the real clock: a benchmark of the
/// scheduler's timer (one sleeping task over a heap) under load.
public struct FireJitterReport: Sendable, Hashable, CustomStringConvertible {
    /// Launcher calls measured.
    public let fires: Int
    /// Lateness (launcher call minus scheduled instant), in seconds.
    public let median: TimeInterval
    /// 99th percentile lateness, in seconds.
    public let p99: TimeInterval
    /// Worst lateness, in seconds.
    public let maximum: TimeInterval

    /// Summarises lateness samples, in seconds.
    public init(samples: [TimeInterval]) {
        let sorted = samples.sorted()
        fires = sorted.count
        func percentile(_ p: Double) -> TimeInterval {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
        }
        median = percentile(0.5)
        p99 = percentile(0.99)
        maximum = sorted.last ?? 0
    }

    public var description: String {
        String(format: "%d fires: median %.2f ms, p99 %.2f ms, max %.2f ms", fires, median * 1000, p99 * 1000, maximum * 1000)
    }
}

extension TriggerScheduler {
    /// Runs `triggerCount` interval triggers on the system clock for `duration` with a launcher that
    /// returns at once, and reports how late each launcher call was. All triggers start together, so
    /// every round is a burst of `triggerCount` fires — the worst case for one timer.
    /// - Parameters:
    ///   - triggerCount: how many triggers (e.g. 10,000).
    ///   - interval: seconds between fires of each (any positive value; files require ≥ 10 s).
    ///   - duration: how long to measure.
    ///   - minimumFires: fires to wait for past `duration` (a minute at most), for a busy machine.
    ///   - storePath: the SQLite file for history (`":memory:"` by default).
    /// - Throws: `StoreError` when the store cannot be opened.
    public static func measureJitter(triggerCount: Int, interval: TimeInterval, duration: Duration,
                                     atLeast minimumFires: Int = 0, storePath: String = ":memory:") async throws -> FireJitterReport {
        let samples = Mutex<[TimeInterval]>([])
        let definitions = (0..<max(triggerCount, 1)).map { index in
            TriggerDefinition(name: "jitter-\(index)", schedule: .interval(max(interval, 0.001)), prompt: "measure")
        }
        let scheduler = try TriggerScheduler(definitions: definitions, store: try TriggerStore(path: storePath),
                                             clock: SystemClock()) { fire in
            let lateness = fire.lateness()
            samples.withLock { $0.append(lateness) }
            return .succeeded(after: .zero)
        }
        let loop = Task { try await scheduler.run() }
        try? await Task.sleep(for: duration)
        // On a busy machine the first fires can come late: wait for them (a minute at most) rather than fail.
        let deadline = ContinuousClock.now + .seconds(60)
        while samples.withLock({ $0.count }) < minimumFires, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        loop.cancel()
        _ = try? await loop.value
        await scheduler.waitUntilIdle()
        return FireJitterReport(samples: samples.withLock { $0 })
    }
}
