import CmdopIdentity
import Foundation
import Hummingbird
import JarvisHTTP
import JarvisTriggers
import JarvisWebhooks
import Logging

/// Webhook ingest under load: `wrk` (a separate process) posts GitHub-signed deliveries, each with
/// its own delivery id, to `POST /hooks/bench` — verify the raw bytes, check the replay window,
/// parse, filter, render the prompt, commit to SQLite (WAL), answer 202 — and, on the same server,
/// to a bare route that answers 202 at once. The ratio is what verification and persistence cost.
enum WebhookBenchmark {
    static let secret = "bench-secret"
    /// Distinct deliveries prepared; more than a run at the measured rate sends.
    static let bodies = 400_000

    static func run(seconds: Int, connections: Int) async throws {
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
        lines.reserveCapacity(Self.bodies * 260)
        for index in 0..<Self.bodies {
            let body = #"{"action":"completed","workflow_run":{"id":\#(30_433_642 + index),"name":"CI","head_branch":"main","conclusion":"failure","html_url":"https://github.com/o/r/actions/runs/\#(30_433_642 + index)"},"repository":{"full_name":"o/r"}}"#
            let signature = "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: Array(secret.utf8), message: Array(body.utf8)))
            lines += signature + "\t" + body + "\n"
        }
        try lines.write(toFile: folder + "/requests.tsv", atomically: true, encoding: .utf8)
        try script.write(toFile: folder + "/post.lua", atomically: true, encoding: .utf8)

        let direct = await inProcess(intake: intake, lines: lines)
        let hookResult = try load(wrk, url: "http://127.0.0.1:\(port)/hooks/bench", folder: folder, seconds: seconds,
                                  connections: connections)
        let bareResult = try load(wrk, url: "http://127.0.0.1:\(port)/bare", folder: folder, seconds: seconds, connections: connections)
        let stored = try intake.store.deliveries(hook: "bench", limit: 1).first.map { _ in "yes" } ?? "no"
        print("""
            webhook ingest (wrk, \(connections) connections, \(seconds) s each, same 2-core machine as the server)
              POST /hooks/bench (verify + persist + 202): \(hookResult)
              bare 202 route:                            \(bareResult)
              ingest / bare:                             \(String(format: "%.0f %%", hookResult.rate / bareResult.rate * 100))
              intake alone, in process, 32 at a time:    \(String(format: "%.0f", direct)) deliveries/s
              deliveries stored:                         \(stored == "yes" ? "yes, each with its own delivery id" : "NONE")
              aim:                                       ≥ 40 % of the bare route and ≥ 3,000/s
            """)
    }

    /// The intake without HTTP: 32 concurrent callers, 10,000 distinct deliveries (a different hook
    /// name keeps them apart from the wrk run's).
    static func inProcess(intake: WebhookIntake, lines: String) async -> Double {
        let requests = lines.split(separator: "\n").suffix(10_000).map { line -> ([String: String], [UInt8]) in
            let parts = line.split(separator: "\t", maxSplits: 1)
            return (["x-hub-signature-256": String(parts[0]), "x-github-event": "workflow_run", "content-type": "application/json"],
                    Array(parts[1].utf8))
        }
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<32 {
                group.addTask {
                    for index in stride(from: lane, to: requests.count, by: 32) {
                        _ = await intake.receive(hook: "bench", headers: requests[index].0, body: requests[index].1)
                    }
                }
            }
        }
        return Double(requests.count) / Stats.milliseconds(ContinuousClock.now - started) * 1000
    }

    struct LoadResult: CustomStringConvertible {
        var rate: Double
        var p50: String
        var p99: String
        var errors: String
        var description: String { String(format: "%8.0f req/s, p50 %@, p99 %@%@", rate, p50, p99, errors) }
    }

    static func load(_ wrk: String, url: String, folder: String, seconds: Int, connections: Int) throws -> LoadResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", folder + "/post.lua", url,
                             "--", folder + "/requests.tsv"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func field(_ prefix: String) -> String? {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
        }
        let non2xx = field("Non-2xx or 3xx responses:").map { ", \($0) non-2xx!" } ?? ""
        return LoadResult(rate: Double(field("Requests/sec:") ?? "0") ?? 0, p50: field("50%") ?? "?", p99: field("99%") ?? "?",
                          errors: non2xx)
    }

    /// wrk's script: each thread walks its own share of the prepared signed bodies, each request
    /// with its own delivery id.
    static let script = """
        local threads = 0
        function setup(thread)
          threads = threads + 1
          thread:set("tid", threads)
        end
        function init(args)
          signatures, bodies = {}, {}
          for line in io.lines(args[1]) do
            local tab = line:find("\t", 1, true)
            signatures[#signatures + 1] = line:sub(1, tab - 1)
            bodies[#bodies + 1] = line:sub(tab + 1)
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
