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
///
/// Each level of connections gets its own alternating rounds. Ingest commits in groups, one fsync
/// per group, and a group holds the deliveries waiting when it starts: with few connections the
/// CPU idles between commits, so ingest per second grows with the offered load until the CPU is
/// saturated. Its capacity, and the aim, are read at the most connections; the fewest show latency.
enum WebhookBenchmark {
    static let secret = "bench-secret"
    /// Distinct signed bodies each wrk round gets (more than a round sends at the measured rate).
    static let perRound = 150_000
    /// Bodies for the in-process rounds, numbered after every wrk round's.
    static let perDirectRound = 10_000

    /// One level of connections: its rounds of each route.
    struct Level {
        let connections: Int
        var hook: [LoadResult] = []
        var bare: [LoadResult] = []
    }

    static func run(seconds: Int, connections levels: [Int], rounds: Int) async throws {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: FileManager.default.isExecutableFile) else {
            return print("webhook ingest: skipped — wrk is not installed (apt-get install wrk; `make bench` does)")
        }
        let folder = FileManager.default.temporaryDirectory.path + "/jarvis-bench-hooks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let hook = WebhookDefinition(
            name: "bench", verification: .github(secret: secret),
            prompt: try PromptTemplate("Workflow {{workflow_run.name}} on {{workflow_run.head_branch}} {{workflow_run.conclusion}}."))
        var logger = Logger(label: "jarvis-bench")
        logger.logLevel = .critical
        try script.write(toFile: folder + "/post.lua", atomically: true, encoding: .utf8)

        var results: [Level] = []
        var stored = true
        var store = ""
        for (levelIndex, connections) in levels.enumerated() {
            // Each level starts from an empty store: what a delivery costs grows with the
            // de-duplication keys the store holds (README, "Measured"), so levels sharing one store
            // would not be compared alike.
            store = folder + "/deliveries-\(levelIndex).db"
            let intake = WebhookIntake(definitions: [hook], store: try DeliveryStore(path: store))
            let router = Router()
            WebhookRoutes(intake: intake).register(on: router)
            router.post("/bare") { _, _ in
                Response(status: .accepted, headers: [.contentType: "application/json"],
                         body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"accepted"}"#)))
            }
            let server = JarvisHTTPServer()
            let port = try await server.start(router: router, host: "127.0.0.1", port: 0, logger: logger)
            // Distinct signed bodies (a GitHub delivery is the same one when its body is), cycled by wrk.
            let requests = folder + "/requests-\(levelIndex).tsv"
            var level = Level(connections: connections)
            do {
                try signedLines(from: levelIndex * rounds * perRound, count: rounds * perRound)
                    .write(toFile: requests, atomically: true, encoding: .utf8)
                // Rounds alternate the two routes, so a slow moment of the machine does not land on one side only.
                for round in 0..<rounds {
                    level.hook.append(try load(wrk, url: "http://127.0.0.1:\(port)/hooks/bench", folder: folder, requests: requests,
                                               seconds: seconds, connections: connections, bodies: (round * perRound)..<((round + 1) * perRound)))
                    if level.hook[round].rate * Double(seconds) > Double(perRound) {
                        print("webhook ingest: round \(round + 1) sent more than its \(perRound) distinct bodies; later ones were duplicates")
                    }
                    level.bare.append(try load(wrk, url: "http://127.0.0.1:\(port)/bare", folder: folder, requests: requests,
                                               seconds: seconds, connections: connections))
                }
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
            try? FileManager.default.removeItem(atPath: requests)
            stored = try stored && !intake.store.deliveries(hook: "bench", limit: 1).isEmpty
            results.append(level)
            if levelIndex < levels.count - 1 {  // only the last store is re-opened below
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
            }
        }
        // The intake without HTTP, after the wrk rounds and on a store of its own, so that neither
        // its keys nor its writer's leftover work reach a level.
        let directIntake = WebhookIntake(definitions: [hook], store: try DeliveryStore(path: folder + "/in-process.db"))
        var directRuns: [(rate: Double, cpu: Double)] = []
        for round in 0..<rounds {
            let first = levels.count * rounds * perRound + round * perDirectRound
            directRuns.append(await inProcess(intake: directIntake, lines: signedLines(from: first, count: perDirectRound)))
        }
        let direct = directRuns.sorted { $0.rate < $1.rate }[directRuns.count / 2]
        // What a restart costs: opening the store reads back the newest keys and the written-key set
        // (the last level's; its server has stopped).
        let reopenStarted = ContinuousClock.now
        let reopened = try DeliveryStore(path: store)
        let reopen = ContinuousClock.now - reopenStarted
        /// A line of the report: an aligned label and its figure.
        func row(_ indent: Int, _ label: String, _ figure: String) -> String {
            String(repeating: " ", count: indent) + (label + ":").padding(toLength: 50 - indent, withPad: " ", startingAt: 0) + figure
        }
        func percent(_ hook: LoadResult, _ bare: LoadResult) -> String { String(format: "%.0f %%", hook.rate / bare.rate * 100) }
        print("webhook ingest (wrk, median of \(rounds) alternating rounds of \(seconds) s per route, same 2-core machine as the server)")
        for level in results {
            let hook = LoadResult.median(level.hook), bare = LoadResult.median(level.bare)
            print("  \(level.connections) connections")
            print(row(4, "POST /hooks/bench (verify + persist + 202)", "\(hook)"))
            print(row(4, "bare 202 route", "\(bare)"))
            print(row(4, "ingest / bare", percent(hook, bare)))
            print(row(4, "rounds, ingest req/s", level.hook.map { String(format: "%.0f", $0.rate) }.joined(separator: ", ")))
            print(row(4, "rounds, bare req/s", level.bare.map { String(format: "%.0f", $0.rate) }.joined(separator: ", ")))
            print(row(4, "rounds, ingest / bare (each pair)", zip(level.hook, level.bare).map(percent).joined(separator: ", ")))
        }
        let capacity = results.max { $0.connections < $1.connections }!
        let capacityHook = LoadResult.median(capacity.hook)
        print(row(2, "intake alone, in process, 32 at a time", String(format: "%.0f deliveries/s, %.0f µs CPU each", direct.rate, direct.cpu * 1e6)))
        print(row(2, "deliveries stored", stored ? "yes, each with its own delivery id" : "NONE at some level"))
        print(row(2, "store re-opened (a restart)", String(format: "%.0f ms with %d keys written", Stats.milliseconds(reopen), reopened.writtenKeyCount)))
        print(row(2, "aim at \(capacity.connections) connections (capacity)", String(
            format: "ingest ≥ 40 %% of the bare route and ≥ 3,000/s: %@ and %.0f/s", percent(capacityHook, LoadResult.median(capacity.bare)),
            capacityHook.rate)))
    }

    /// `count` GitHub-signed deliveries, numbered from `first` (distinct numbers, distinct bodies),
    /// a line each: the signature, a tab, the body.
    static func signedLines(from first: Int, count: Int) -> String {
        var lines = ""
        lines.reserveCapacity(count * 260)
        for index in first..<(first + count) {
            let body = #"{"action":"completed","workflow_run":{"id":\#(30_433_642 + index),"name":"CI","head_branch":"main","conclusion":"failure","html_url":"https://github.com/o/r/actions/runs/\#(30_433_642 + index)"},"repository":{"full_name":"o/r"}}"#
            lines += "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: Array(secret.utf8), message: Array(body.utf8))) + "\t" + body + "\n"
        }
        return lines
    }

    /// The intake without HTTP: 32 concurrent callers, one delivery per line of `lines`.
    /// - Returns: deliveries per second, and CPU seconds per delivery.
    static func inProcess(intake: WebhookIntake, lines: String) async -> (rate: Double, cpu: Double) {
        let requests = lines.split(separator: "\n").map { line -> ([String: String], [UInt8]) in
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
            String(format: "%.0f req/s, p50 %@, p99 %@, server CPU %.0f µs/request (%.0f %% kernel)%@", rate, p50, p99,
                   cpuPerRequest * 1e6, kernelShare * 100, errors)
        }

        /// The run with the median rate.
        static func median(_ runs: [LoadResult]) -> LoadResult { runs.sorted { $0.rate < $1.rate }[runs.count / 2] }
    }

    static func load(_ wrk: String, url: String, folder: String, requests: String, seconds: Int, connections: Int,
                     bodies: Range<Int> = 0..<Self.perRound) throws -> LoadResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", folder + "/post.lua", url,
                             "--", requests,
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
