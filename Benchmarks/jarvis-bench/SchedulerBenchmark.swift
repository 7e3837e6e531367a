import Foundation
import JarvisTriggers

/// Fire jitter with many triggers loaded: how late the launcher is called after each scheduled
/// instant (system clock, SQLite state file, one sleeping task for all triggers).
enum SchedulerBenchmark {
    static func run(triggers: Int, seconds: Int) async throws {
        let folder = FileManager.default.temporaryDirectory.path + "/jarvis-bench-sched-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Every trigger every 5 s from the same start: all of them are due at the same instants, the
        // worst case for a scheduler (a burst of `triggers` fires each time).
        let report = try await TriggerScheduler.measureJitter(triggerCount: triggers, interval: 5, duration: .seconds(seconds),
                                                              storePath: folder + "/triggers.db")
        print("""
            scheduler fire jitter (\(triggers) triggers loaded, all due together every 5 s, \(seconds) s, SQLite state)
              fires:                     \(report.fires)
              lateness p50 / p99 / max:  \(String(format: "%.1f / %.1f / %.1f ms", report.median * 1000, report.p99 * 1000, report.maximum * 1000))
            """)
    }
}
