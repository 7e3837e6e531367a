// jarvis-bench: measures jarvis's agent loop and its fleet fan-out on this machine.
//
//   jarvis-bench [--turns 2000] [--agents 100] [--rounds 10] [--hook-seconds 5] [--hook-rounds 5] [--connections 32 --connections 128]
//                [--triggers 10000] [--only loop,ask,webhook,scheduler,gate]
//
// 1. Loop overhead per tool-calling turn: the real AgentLoop with the real SQLite run journal,
//    against a zero-latency scripted model (in process, so only jarvis's own work is timed) and a
//    no-op tool. Each turn = one model call → one tool call → journal writes.
// 2. ask_machines across N real agents (in-process, each on its own relay stream) through a real
//    relay: every machine runs its own loop, whose model call travels back to jarvis over the relay.
// 3. Webhook ingest per second under wrk (verify + persist + 202) next to a bare 202 route, at
//    32 connections (latency) and 128 (capacity: enough to keep both cores busy).
// 4. Scheduler fire jitter with 10,000 triggers loaded.
// 5. The permission gate's cost per decision of a compound command.
import ArgumentParser
import Foundation

@main
struct JarvisBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jarvis-bench",
        abstract: "Measures jarvis on this machine: loop overhead, ask_machines fan-out, webhook ingest, scheduler jitter, gate decisions.",
        discussion: "Run a release build (`make bench` does). Webhook ingest needs wrk (apt-get install wrk).")

    /// The parts there are.
    static let allParts = ["loop", "ask", "webhook", "scheduler", "gate"]

    @Option(help: "Tool-calling turns for the loop overhead.") var turns = 2000
    @Option(help: "Agents for the ask_machines fan-out.") var agents = 100
    @Option(help: "Fan-out rounds.") var rounds = 10
    @Option(help: "Seconds per wrk round of webhook ingest.") var hookSeconds = 5
    @Option(help: "wrk rounds per route (they alternate; the median is reported).") var hookRounds = 5
    @Option(help: ArgumentHelp("wrk connections; repeat for more levels, each with its own rounds.",
                               discussion: "The aim is read at the most connections (ingest's capacity); the fewest show latency."))
    var connections: [Int] = [32, 128]
    @Option(help: "Triggers loaded for the scheduler jitter.") var triggers = 10_000
    @Option(help: "The parts to run, comma-separated: loop, ask, webhook, scheduler, gate.")
    var only = allParts.joined(separator: ",")

    func validate() throws {
        let unknown = parts.subtracting(Self.allParts)
        guard unknown.isEmpty else {
            throw ValidationError("--only: no part named \(unknown.sorted().joined(separator: ", ")); the parts are \(Self.allParts.joined(separator: ", "))")
        }
        for (name, value) in [("--turns", turns), ("--agents", agents), ("--rounds", rounds), ("--hook-seconds", hookSeconds),
                              ("--hook-rounds", hookRounds), ("--connections", connections.min() ?? 0), ("--triggers", triggers)] where value < 1 {
            throw ValidationError("\(name) must be at least 1 (got \(value))")
        }
    }

    var parts: Set<String> { Set(only.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }

    func run() async throws {
        if parts.contains("loop") { try await LoopBenchmark.run(turns: turns) }
        if parts.contains("ask") { try await AskFanOutBenchmark.run(agents: agents, rounds: rounds) }
        if parts.contains("webhook") {
            try await WebhookBenchmark.run(seconds: hookSeconds, connections: connections, rounds: hookRounds)
        }
        if parts.contains("scheduler") { try await SchedulerBenchmark.run(triggers: triggers, seconds: 12) }
        if parts.contains("gate") { try GateBenchmark.run() }
    }
}


