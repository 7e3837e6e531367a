import CmdopProviders
import Foundation
import JarvisCore
import JarvisRuntime
import Synchronization

/// Loop overhead per tool-calling turn, journal included.
enum LoopBenchmark {
    struct NoopTool: JarvisTool {
        var definition: ToolDefinition { ToolDefinition(name: "noop", description: "does nothing") }
        var isReadOnly: Bool { true }
        var isDestructive: Bool { false }
        func run(_ arguments: JSONValue, context: ToolContext) async -> ToolOutcome { ToolOutcome("{\"ok\":true}") }
    }

    static func run(turns: Int) async throws {
        let folder = FileManager.default.temporaryDirectory.path + "/jarvis-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = try RunJournal(path: folder + "/journal.db")
        let calls = Mutex<[ContinuousClock.Instant]>([])
        let counter = Mutex(0)
        let model = InstantModel { _ in
            calls.withLock { $0.append(.now) }
            let n = counter.withLock { $0 += 1; return $0 }
            return [.toolCall(ToolCall(id: "c\(n)", name: "noop", arguments: ["n": .number(Double(n))])), InstantModel.usage, .stop(.toolUse)]
        }
        let runsNeeded = max(1, turns / 50)
        var totals: [Double] = []
        for index in 0..<runsNeeded + 1 {
            let runID = "run-\(index)"
            let messages: [ChatMessage] = [.system("You run the fleet."), .user("go")]
            _ = try journal.begin(runID: runID, fleetID: "bench", sessionID: "s", messages: messages)
            let loop = AgentLoop(provider: model, tools: [NoopTool()], budget: RunBudget(maxTurns: 50),
                                 journal: journal.entry(runID))
            calls.withLock { $0.removeAll() }
            let started = ContinuousClock.now
            let result = await loop.run(system: "You run the fleet.", messages: [.user("go")])
            let elapsed = ContinuousClock.now - started
            if index == 0 { continue }  // warm-up
            totals.append(Stats.milliseconds(elapsed) / Double(result.turns))
            let stamps = calls.withLock { $0 }
            for (a, b) in zip(stamps, stamps.dropFirst()) { perTurn.withLock { $0.append(Stats.milliseconds(b - a)) } }
        }
        let samples = perTurn.withLock { $0 }
        print("""
            jarvis loop overhead per tool-calling turn (zero-latency model in process, no-op tool, SQLite journal)
              turns measured:        \(runsNeeded * 50) in \(runsNeeded) runs of 50 (after one warm-up run)
              mean per turn:         \(Stats.ms(totals.reduce(0, +) / Double(totals.count)))
              per turn p50 / p99:    \(Stats.ms(Stats.percentile(samples, 50))) / \(Stats.ms(Stats.percentile(samples, 99)))
              aim:                   ≤ 2 ms per turn
            """)
    }

    static let perTurn = Mutex<[Double]>([])
}
