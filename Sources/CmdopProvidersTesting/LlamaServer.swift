import CmdopProviders
import Foundation

/// The real local llama.cpp server used by the integration tests.
///
/// `CMDOP_LLAMA_URL` points at a running server; otherwise `scripts/llama-server.sh start` (found relative to this
/// file) installs what is missing into `$CMDOP_CACHE` (default `~/.cache/cmdop`), starts the server or finds it
/// running, and prints its base URL. The server is shared and left running for later runs.
public enum LlamaServer {
    static let scriptPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/llama-server.sh").path

    /// The base URL (`http://127.0.0.1:PORT`), starting the server once per test process.
    public static func baseURL() async throws -> String {
        try await shared.value
    }

    private static let shared = Task<String, any Error> {
        if let url = ProcessInfo.processInfo.environment["CMDOP_LLAMA_URL"], !url.isEmpty { return url }
        return try await runScript()
    }

    private static func runScript() async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [scriptPath, "start"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let url = text.split(separator: "\n").last.map(String.init) ?? ""
        guard status == 0, url.hasPrefix("http://127.0.0.1:") else {
            throw ProviderError(
                code: .network,
                message: "\(scriptPath) start exited with \(status) and printed '\(text)'; see its log under "
                    + "~/.cache/cmdop/llama/run/server.log")
        }
        return url
    }
}
