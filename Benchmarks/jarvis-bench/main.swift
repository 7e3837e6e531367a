// jarvis-bench: measures jarvis's agent loop and its fleet fan-out on this machine.
//
//   jarvis-bench [--turns 2000] [--agents 100] [--rounds 10] [--hook-seconds 5] [--hook-rounds 5] [--connections 32]
//                [--triggers 10000] [--only loop,ask,webhook,scheduler]
//
// 1. Loop overhead per tool-calling turn: the real AgentLoop with the real SQLite run journal,
//    against a zero-latency scripted model (in process, so only jarvis's own work is timed) and a
//    no-op tool. Each turn = one model call → one tool call → journal writes.
// 2. ask_machines across N real agents (in-process, each on its own relay stream) through a real
//    relay: every machine runs its own loop, whose model call travels back to jarvis over the relay.
// 3. Webhook ingest per second under wrk (verify + persist + 202) next to a bare 202 route.
// 4. Scheduler fire jitter with 10,000 triggers loaded.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else {
        return fallback
    }
    return value
}

/// The parts to run (`--only`, comma-separated); all of them by default.
let parts: Set<String> = {
    guard let index = arguments.firstIndex(of: "--only"), index + 1 < arguments.count else {
        return ["loop", "ask", "webhook", "scheduler"]
    }
    return Set(arguments[index + 1].split(separator: ",").map(String.init))
}()

if parts.contains("loop") { try await LoopBenchmark.run(turns: option("--turns", 2000)) }
if parts.contains("ask") { try await AskFanOutBenchmark.run(agents: option("--agents", 100), rounds: option("--rounds", 10)) }
if parts.contains("webhook") {
    try await WebhookBenchmark.run(seconds: option("--hook-seconds", 5), connections: option("--connections", 32),
                                  rounds: max(option("--hook-rounds", 5), 1))
}
if parts.contains("scheduler") { try await SchedulerBenchmark.run(triggers: option("--triggers", 10_000), seconds: 12) }
