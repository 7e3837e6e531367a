import CmdopCurl
import CmdopProviders
import Foundation
import Synchronization

/// Timing and memory helpers.
enum Measure {
    static func provider(_ root: String, transport: CurlHTTPTransport) -> WireProvider {
        WireProvider(
            config: ProviderConfig(name: "bench", wire: .openAIChat, baseURL: root + "/v1", defaultModel: "SmolLM2-135M-Instruct"),
            transport: transport, environment: [:])
    }

    /// Streams one reply; returns the text deltas decoded and the seconds taken.
    static func providerStream(transport: CurlHTTPTransport, root: String, sample: PeakRSS? = nil) async throws -> (deltas: Int, seconds: Double) {
        let start = ContinuousClock.now
        var deltas = 0
        for try await event in provider(root, transport: transport).stream(ChatRequest(messages: [.user("bench")])) {
            if case .textDelta = event {
                deltas += 1
                if deltas % 2000 == 0 { sample?.sample() }
            }
        }
        return (deltas, start.duration(to: .now).seconds)
    }

    /// Runs `count` streams at once; returns the text deltas decoded in total.
    static func concurrentStreams(_ count: Int, transport: CurlHTTPTransport, root: String, sample: PeakRSS) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<count {
                group.addTask { try await providerStream(transport: transport, root: root, sample: sample).deltas }
            }
            var total = 0
            for try await deltas in group { total += deltas }
            return total
        }
    }

    /// Seconds from starting a streamed call to its first text delta.
    static func providerTTFT(transport: CurlHTTPTransport, root: String) async throws -> Double {
        let request = ChatRequest(messages: [.user("Say hello.")], temperature: 0, maxTokens: 2)
        let start = ContinuousClock.now
        var first: Double?
        for try await event in provider(root, transport: transport).stream(request) {
            if first == nil, case .textDelta = event { first = start.duration(to: .now).seconds }
        }
        guard let first else { throw BenchError("provider saw no token") }
        return first
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    static func mbps(_ bytesPerSecond: Double) -> String { String(format: "%.1f", bytesPerSecond / 1e6) }
    static func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }

    /// Resident set size in KiB.
    static func rss() -> Int { status("VmRSS:") }

    static func threads() -> Int { status("Threads:") }

    private static func status(_ key: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            return Int(line.dropFirst(key.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "0") ?? 0
        }
        return 0
    }
}

/// The highest RSS seen while sampling.
final class PeakRSS: Sendable {
    private let peak = Mutex(0)
    func sample() {
        let now = Measure.rss()
        peak.withLock { $0 = max($0, now) }
    }
    var value: Int { peak.withLock { $0 } }
}

/// Finds or starts the llama.cpp server through the project script.
enum LlamaLauncher {
    static func baseURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["CMDOP_LLAMA_URL"], !url.isEmpty { return url }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/llama-server.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "start"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let url = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, url.hasPrefix("http://") else {
            throw BenchError("\(script) start failed")
        }
        return url
    }
}
