import CmdopProvidersTesting
import Foundation

/// The fake LLM server for the benchmark, run in a child process so its CPU use is not charged to the client.
struct BenchServer {
    let process: Process
    let port: Int

    /// One OpenAI chunk as a streaming server sends it.
    static func event(_ index: Int) -> String {
        let token = " tok" + String(repeating: "0", count: 6 - min(6, String(index).count)) + String(index)
        return #"data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1795619000,"model":"bench","choices":[{"index":0,"delta":{"content":""#
            + token + #""},"finish_reason":null}]}"# + "\n\n"
    }

    static let eventSize = event(0).utf8.count

    /// Serves the stream forever (child process side).
    /// - Parameters:
    ///   - events: text events in the stream.
    ///   - coalesce: 0 writes one event per flush (as LLM servers do); N > 0 writes N-byte chunks (the server is
    ///     then no longer the bottleneck).
    static func serve(events: Int, coalesce: Int) async throws -> Never {
        var chunks = (0..<events).map { ScriptedResponse.Chunk(event($0)) }
        chunks.append(.init(#"data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1795619000,"model":"bench","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\ndata: [DONE]\n\n"))
        if coalesce > 0 {
            let all = chunks.flatMap(\.bytes)
            chunks = stride(from: 0, to: all.count, by: coalesce).map { ScriptedResponse.Chunk(Array(all[$0..<min($0 + coalesce, all.count)])) }
        }
        let server = try await FakeLLMServer.start()
        server.setDefault(ScriptedResponse(headers: [("content-type", "text/event-stream")], chunks: chunks), for: "/v1/chat/completions")
        FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    /// Starts `provider-bench serve` and reads its port.
    static func spawn(events: Int, coalesce: Int = 0) throws -> BenchServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["serve", String(events), String(coalesce)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.hasSuffix("\n") {
            let data = output.fileHandleForReading.availableData
            guard !data.isEmpty else { throw BenchError("bench server exited early") }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError("bench server printed '\(text)'")
        }
        return BenchServer(process: process, port: port)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
