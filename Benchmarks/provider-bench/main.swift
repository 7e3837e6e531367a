import CmdopCurl
import CmdopProviders
import CmdopProvidersTesting
import Foundation

// provider-bench: the provider stack (libcurl multi transport + SSE decoding) against the curl CLI.
//
//   provider-bench                 run every measurement (the llama.cpp one needs scripts/llama-server.sh)
//   provider-bench serve EVENTS [CHUNK]  (internal) serve an EVENTS-long OpenAI stream on 127.0.0.1, print the port
//
// Environment: BENCH_EVENTS (default 200000), BENCH_STREAMS (100), BENCH_STREAM_EVENTS (10000),
// BENCH_TTFT_RUNS (15), BENCH_CANCEL_RUNS (50), BENCH_SECTIONS (1,2,3,4), CMDOP_LLAMA_URL (use a running llama.cpp server instead of starting one).

let arguments = CommandLine.arguments
if arguments.count >= 3, arguments[1] == "serve" {
    try await BenchServer.serve(events: Int(arguments[2]) ?? 200_000, coalesce: arguments.count > 3 ? Int(arguments[3]) ?? 0 : 0)
}

func environmentInt(_ name: String, _ fallback: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? fallback
}

let events = environmentInt("BENCH_EVENTS", 200_000)
let streams = environmentInt("BENCH_STREAMS", 100)
let streamEvents = environmentInt("BENCH_STREAM_EVENTS", 10_000)
let ttftRuns = environmentInt("BENCH_TTFT_RUNS", 15)
let cancelRuns = environmentInt("BENCH_CANCEL_RUNS", 50)
let sections = Set((ProcessInfo.processInfo.environment["BENCH_SECTIONS"] ?? "1,2,3,4").split(separator: ",").map(String.init))

print("provider-bench (libcurl multi transport, OpenAI SSE decoding); machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")
let transport = CurlHTTPTransport()

// 1. One long stream: provider vs the curl CLI, the fake server in a separate process. First as LLM servers send
// it (one event per write: the server sets the pace), then in 64 KiB writes (decoding sets the pace).
for (label, coalesce) in [("one event per write", 0), ("64 KiB writes", 65536)] where sections.contains("1") {
    let server = try BenchServer.spawn(events: events, coalesce: coalesce)
    defer { server.stop() }
    let url = "http://127.0.0.1:\(server.port)"
    _ = try CurlCLI.download(url + "/v1/chat/completions")  // warm-up
    var curlRates: [Double] = []
    var providerRates: [Double] = []
    var eventRates: [Double] = []
    var bytes = 0
    for _ in 0..<3 {
        let cli = try CurlCLI.download(url + "/v1/chat/completions")
        bytes = cli.bytes
        curlRates.append(Double(cli.bytes) / cli.seconds)
        let run = try await Measure.providerStream(transport: transport, root: url)
        providerRates.append(Double(bytes) / run.seconds)
        eventRates.append(Double(run.deltas) / run.seconds)
        guard run.deltas == events else { fatalError("provider decoded \(run.deltas) of \(events) deltas") }
    }
    let curlBest = curlRates.max()!, providerBest = providerRates.max()!
    print("")
    print("1. long stream: \(events) SSE events, \(String(format: "%.1f", Double(bytes) / 1e6)) MB, \(label)")
    print("   curl CLI      \(Measure.mbps(curlBest)) MB/s")
    print("   provider      \(Measure.mbps(providerBest)) MB/s  (\(Int(eventRates.max()!)) text deltas/s decoded)")
    print("   ratio         \(String(format: "%.2f", providerBest / curlBest))x curl (best of 3 each)")
}

// 2. Many concurrent streams over one transport thread.
if sections.contains("2") {
    let server = try BenchServer.spawn(events: streamEvents)
    defer { server.stop() }
    let root = "http://127.0.0.1:\(server.port)"
    let before = Measure.rss()
    let start = ContinuousClock.now
    let peak = PeakRSS()
    let total = try await Measure.concurrentStreams(streams, transport: transport, root: root, sample: peak)
    let seconds = start.duration(to: .now).seconds
    guard total == streams * streamEvents else { fatalError("decoded \(total) of \(streams * streamEvents) deltas") }
    let bytes = Double(streams) * Double(BenchServer.eventSize) * Double(streamEvents)
    print("")
    print("2. \(streams) concurrent streams x \(streamEvents) events over one curl thread")
    print("   total         \(Measure.mbps(bytes / seconds)) MB/s, \(Int(Double(total) / seconds)) text deltas/s, \(String(format: "%.2f", seconds)) s")
    print("   RSS           \(before / 1024) MiB before, \(peak.value / 1024) MiB peak during, threads: \(Measure.threads())")
}

// 3. Added time to first token against the real llama.cpp server.
if sections.contains("3") { do {
    let root = try LlamaLauncher.baseURL()
    let body = #"{"model":"SmolLM2-135M-Instruct","stream":true,"temperature":0,"max_tokens":2,"messages":[{"role":"user","content":"Say hello."}]}"#
    var curl: [Double] = []
    var provider: [Double] = []
    let spawn = (0..<5).map { _ in CurlCLI.spawnCost() }.sorted()[2]
    for _ in 0..<ttftRuns {
        curl.append(try CurlCLI.timeToFirstToken(root + "/v1/chat/completions", body: body))
        provider.append(try await Measure.providerTTFT(transport: transport, root: root))
    }
    let curlMedian = Measure.median(curl), providerMedian = Measure.median(provider)
    print("")
    print("3. time to first token, llama.cpp SmolLM2-135M (1 thread), median of \(ttftRuns)")
    print("   curl CLI      \(Measure.ms(curlMedian)) ms (includes \(Measure.ms(spawn)) ms process spawn)")
    print("   provider      \(Measure.ms(providerMedian)) ms")
    print("   added         \(Measure.ms(providerMedian - (curlMedian - spawn))) ms vs curl without its spawn cost")
} catch {
    print("")
    print("3. time to first token: skipped (\(error))")
} }
// 4. Cancelling a stream mid-reply: how soon its connection is closed.
if sections.contains("4") {
    let latencies = try await CancelLatency.measure(runs: cancelRuns, transport: transport)
    print("")
    print("4. cancel mid-stream → connection closed at the server, \(cancelRuns) runs")
    print("   p50 / p99 / max  \(Measure.ms(Measure.median(latencies))) / \(Measure.ms(latencies[latencies.count * 99 / 100])) / \(Measure.ms(latencies.last!)) ms")
}
transport.shutdown()
