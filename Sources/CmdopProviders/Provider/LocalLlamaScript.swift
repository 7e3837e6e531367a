import Foundation

/// The project's local llama.cpp server (`scripts/llama-server.sh`), for `cmdop up` on a machine
/// with no model and for the tests that talk to a real model.
public enum LocalLlamaScript {
    /// Runs `script start` (installs what is missing, starts the server or finds it running) and
    /// returns the server's base URL, `http://127.0.0.1:PORT`. The script's progress goes to stderr.
    /// - Throws: ``ProviderError`` (`.network`) naming the script, its exit status and its log.
    public static func start(script: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "start"]
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
                message: "\(script) start exited with \(status) and printed '\(text)'; see its log under "
                    + "~/.cache/cmdop/llama/run/server.log")
        }
        return url
    }
}
