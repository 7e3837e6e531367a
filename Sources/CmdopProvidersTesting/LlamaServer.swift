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
        try await LocalLlamaScript.start(script: scriptPath)
    }
}
