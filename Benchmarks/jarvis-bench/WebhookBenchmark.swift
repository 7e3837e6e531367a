import CmdopIdentity
import Foundation
import Hummingbird
import JarvisHTTP
import JarvisTriggers
import JarvisWebhooks
import Logging

/// Webhook ingest under load: `wrk` (a separate process) posts GitHub-signed deliveries, each with
/// its own delivery id, to `POST /hooks/bench` — verify the raw bytes, check the replay window,
/// parse, filter, render the prompt, commit to SQLite (WAL, fsync'd), answer 202 — and, on the same server,
/// to a bare route that answers 202 at once. The ratio is what verification and persistence cost.
enum WebhookBenchmark {
    static let secret = "bench-secret"
    /// Distinct signed bodies each wrk round gets (more than a round sends at the measured rate).
    static let perRound = 150_000
    /// Bodies for the in-process rounds, after the wrk rounds'.
    static let perDirectRound = 10_000

    static func run(seconds: Int, connections: Int, rounds: Int) async throws {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile) else {
            return print("webhook ingest: skipped — wrk is not installed (apt-get install wrk; `make bench` does)")
        }
        let folder = FileManager.default.temporaryDirectory.path + "/jarvis-bench-hooks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let hook = WebhookDefinition(
            name: "bench", verification: .github(secret: secret),
            prompt: try PromptTemplate("Workflow {{workflow_run.name}} on {{workflow_run.head_branch}} {{workflow_run.conclusion}}."))
        let intake = WebhookIntake(definitions: [hook], store: try DeliveryStore(path: folder + "/deliveries.db"))
        let router = Router()
        WebhookRoutes(intake: intake).register(on: router)
        router.post("/bare") { _, _ in
            Response(status: .accepted, headers: [.contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"accepted"}"#)))
        }
        var logger = Logger(label: "jarvis-bench")
        logger.logLevel = .critical
        let server = JarvisHTTPServer()
        let port = try await server.start(router: router, host: "127.0.0.1", port: 0, logger: logger)
        defer { Task { await server.stop() } }

        // Distinct signed bodies (a GitHub delivery is the same one when its body is), cycled by wrk.
        var lines = ""
        lines.reserveCapacity(rounds * (Self.perRound + Self.perDirectRound) * 260)
        for index in 0..<(rounds * (Self.perRound + Self.perDirectRound)) {
            let body = #"{"action":"completed","workflow_run":{"id":\#(30_433_642 + index),"name":"CI","head_branch":"main","conclusion":"failure","html_url":"https://github.com/o/r/actions/runs/\#(30_433_642 + index)"},"repository":{"full_name":"o/r"}}"#
            let signature = "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: Array(secret.utf8), message: Array(body.utf8)))
            lines += signature + "\t" + body + "\n"
        }
        try lines.write(toFile: folder + "/requests.tsv", atomically: true, encoding: .utf8)
        try script.write(toFile: folder + "/post.lua", atomically: true, encoding: .utf8)

        // Rounds alternate the two routes, so a slow moment of the machine does not land on one side only.
        var hookRuns: [LoadResult] = []
        var bareRuns: [LoadResult] = []
        var directRuns: [(rate: Double, cpu: Double)] = []
        for round in 0..<rounds {
            directRuns.append(await inProcess(intake: intake, lines: lines, round: round))
            let window = (round * Self.perRound)..<((round + 1) * Self.perRound)
            hookRuns.append(try load(wrk, url: "http://127.0.0.1:\(port)/hooks/bench", folder: folder, seconds: seconds,
                                     connections: connections, bodies: window))
            if hookRuns[round].rate * Double(seconds) > Double(Self.perRound) {
                print("webhook ingest: round \(round + 1) sent more than its \(Self.perRound) distinct bodies; later ones were duplicates")
            }
            bareRuns.append(try load(wrk, url: "http://127.0.0.1:\(port)/bare", folder: folder, seconds: seconds,
                                     connections: connections))
        }
        let hookResult = LoadResult.median(hookRuns)
        let bareResult = LoadResult.median(bareRuns)
        let direct = directRuns.sorted { $0.rate < $1.rate }[directRuns.count / 2]
        let stored = try intake.store.deliveries(hook: "bench", limit: 1).first.map { _ in "yes" } ?? "no"
        // What a restart costs: opening the store reads back the newest keys and the written-key set
        // (this second store only reads; the first is idle by now).
        let reopenStarted = ContinuousClock.now
        let reopened = try DeliveryStore(path: folder + "/deliveries.db")
        let reopen = ContinuousClock.now - reopenStarted
        print("""
            webhook ingest (wrk, \(connections) connections, median of \(rounds) alternating rounds of \(seconds) s, same 2-core machine as the server)
              POST /hooks/bench (verify + persist + 202): \(hookResult)
              bare 202 route:                            \(bareResult)
              ingest / bare:                             \(String(format: "%.0f %%", hookResult.rate / bareResult.rate * 100))
              rounds, ingest req/s:                      \(hookRuns.map { String(format: "%.0f", $0.rate) }.joined(separator: ", "))
              rounds, bare req/s:                        \(bareRuns.map { String(format: "%.0f", $0.rate) }.joined(separator: ", "))
              rounds, ingest / bare (each pair in turn): \(zip(hookRuns, bareRuns).map { String(format: "%.0f %%", $0.rate / $1.rate * 100) }.joined(separator: ", "))
              intake alone, in process, 32 at a time:    \(String(format: "%.0f deliveries/s, %.0f µs CPU each", direct.rate, direct.cpu * 1e6))
              deliveries stored:                         \(stored == "yes" ? "yes, each with its own delivery id" : "NONE")
              store re-opened (a restart):               \(String(format: "%.0f ms", Stats.milliseconds(reopen))) with \(reopened.writtenKeyCount) keys written
              aim:                                       ≥ 40 % of the bare route and ≥ 3,000/s
            """)
    }

    /// The intake without HTTP: 32 concurrent callers, 10,000 distinct deliveries (each round takes
    /// its own from the end of the list, apart from those wrk sends from the start).
    /// - Returns: deliveries per second, and CPU seconds per delivery.
    static func inProcess(intake: WebhookIntake, lines: String, round: Int) async -> (rate: Double, cpu: Double) {
        let all = lines.split(separator: "\n")
        let requests = all[(all.count - perDirectRound * (round + 1))..<(all.count - perDirectRound * round)].map { line -> ([String: String], [UInt8]) in
            let parts = line.split(separator: "\t", maxSplits: 1)
            return (["x-hub-signature-256": String(parts[0]), "x-github-event": "workflow_run", "content-type": "application/json"],
                    Array(parts[1].utf8))
        }
        let started = ContinuousClock.now
        let cpu = ProcessCPU.now()
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<32 {
                group.addTask {
                    for index in stride(from: lane, to: requests.count, by: 32) {
                        _ = await intake.receive(hook: "bench", headers: requests[index].0, body: requests[index].1)
                    }
                }
            }
        }
        return (Double(requests.count) / Stats.milliseconds(ContinuousClock.now - started) * 1000,
                (ProcessCPU.now() - cpu).total / Double(requests.count))
    }

    struct LoadResult: CustomStringConvertible {
        var rate: Double
        var p50: String
        var p99: String
        var errors: String
        /// The server's CPU time (all its threads) per request.
        var cpuPerRequest: Double
        /// The part of that CPU time spent in the kernel.
        var kernelShare: Double
        var description: String {
            String(format: "%8.0f req/s, p50 %@, p99 %@, server CPU %.0f µs/request (%.0f %% kernel)%@", rate, p50, p99,
                   cpuPerRequest * 1e6, kernelShare * 100, errors)
        }

        /// The run with the median rate.
        static func median(_ runs: [LoadResult]) -> LoadResult { runs.sorted { $0.rate < $1.rate }[runs.count / 2] }
    }

    static func load(_ wrk: String, url: String, folder: String, seconds: Int, connections: Int,
                     bodies: Range<Int> = 0..<Self.perRound) throws -> LoadResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", folder + "/post.lua", url,
                             "--", folder + "/requests.tsv",
                             String(bodies.lowerBound), String(bodies.count)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let cpu = ProcessCPU.now()
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let cpuSeconds = ProcessCPU.now() - cpu
        func field(_ prefix: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
        }
        let non2xx = field("Non-2xx or 3xx responses:").map { ", \($0) non-2xx!" } ?? ""
        let rate = Double(field("Requests/sec:") ?? "0") ?? 0
        return LoadResult(rate: rate, p50: field("50%") ?? "?", p99: field("99%") ?? "?", errors: non2xx,
                          cpuPerRequest: rate > 0 ? cpuSeconds.total / (rate * Double(seconds)) : 0,
                          kernelShare: cpuSeconds.total > 0 ? cpuSeconds.system / cpuSeconds.total : 0)
    }

    /// wrk's script: each thread walks its own share of the prepared signed bodies from line
    /// `first` on (`count` of them), each request with its own delivery id.
    static let script = """
        local threads = 0
        function setup(thread)
          threads = threads + 1
          thread:set("tid", threads)
        end
        function init(args)
          signatures, bodies = {}, {}
          local first, count = tonumber(args[2]), tonumber(args[3])
          local number = 0
          for line in io.lines(args[1]) do
            number = number + 1
            if number > first and number <= first + count then
              local tab = line:find("\t", 1, true)
              signatures[#signatures + 1] = line:sub(1, tab - 1)
              bodies[#bodies + 1] = line:sub(tab + 1)
            end
          end
          counter = 0
        end
        function request()
          local index = ((counter * 2 + (tid or 1) - 1) % #bodies) + 1
          counter = counter + 1
          local headers = {}
          headers["Content-Type"] = "application/json"
          headers["X-GitHub-Event"] = "workflow_run"
          headers["X-GitHub-Delivery"] = string.format("t%d-%d", tid or 1, counter)
          headers["X-Hub-Signature-256"] = signatures[index]
          return wrk.format("POST", nil, headers, bodies[index])
        end
        """
}

/// This process's CPU time (all threads), in seconds: user + system, and system alone.
struct ProcessCPU {
    var total: Double
    var system: Double

    static func now() -> ProcessCPU {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ProcessCPU(total: seconds(usage.ru_utime) + seconds(usage.ru_stime), system: seconds(usage.ru_stime))
    }

    static func - (later: ProcessCPU, earlier: ProcessCPU) -> ProcessCPU {
        ProcessCPU(total: later.total - earlier.total, system: later.system - earlier.system)
    }
}
