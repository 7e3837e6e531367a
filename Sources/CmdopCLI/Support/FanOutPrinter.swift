import CmdopCore
import CmdopMesh
import CmdopProtocol
import Foundation
import Synchronization

/// Prints fan-out output line by line with a host prefix, a progress line on a terminal, and a summary.
final class FanOutPrinter: Sendable {
    private struct State {
        var partial: [String: Data] = [:]
        var done = 0
    }

    private let total: Int
    private let state = Mutex(State())
    private let showProgress = isatty(STDERR_FILENO) == 1

    init(total: Int) { self.total = total }

    func output(host: String, chunk: Cmdop_Agent_V1_OutputChunk) {
        let key = host + (chunk.stream == .stderr ? "!" : "")
        let lines: [Data] = state.withLock { state in
            var buffer = (state.partial[key] ?? Data()) + chunk.data
            var complete: [Data] = []
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                complete.append(buffer[buffer.startIndex..<newline])
                buffer = Data(buffer[buffer.index(after: newline)...])
            }
            state.partial[key] = buffer
            return complete
        }
        for line in lines { emit(host: host, line: line, stderr: chunk.stream == .stderr) }
    }

    func finished(_ result: FanOut.Result) {
        let flushed: [(String, Data)] = state.withLock { state in
            state.done += 1
            let keys = [result.host, result.host + "!"]
            return keys.compactMap { key in
                guard let rest = state.partial.removeValue(forKey: key), !rest.isEmpty else { return nil }
                return (key, rest)
            }
        }
        for (key, rest) in flushed { emit(host: result.host, line: rest, stderr: key.hasSuffix("!")) }
        progress()
    }

    func summary(_ results: [FanOut.Result]) {
        clearProgress()
        let rows = results.map { result -> [String] in
            switch result.outcome {
            case .exited(let code, let truncated):
                [result.host, code == 0 ? "ok" : "exit \(code)", "\(result.durationMs) ms", truncated ? "output truncated" : ""]
            case .failed(let error):
                [result.host, error.code.name, "\(result.durationMs) ms", error.message]
            }
        }
        let failed = results.filter { !$0.outcome.succeeded }.count
        Terminal.warn("\n" + TextTable.render(header: ["HOST", "RESULT", "TIME", "DETAIL"], rows: rows))
        Terminal.warn("\(results.count - failed)/\(results.count) succeeded")
    }

    private func emit(host: String, line: Data, stderr: Bool) {
        clearProgress()
        var text = Data("\(host) | ".utf8)
        text.append(line)
        text.append(UInt8(ascii: "\n"))
        (stderr ? FileHandle.standardError : FileHandle.standardOutput).write(text)
        progress()
    }

    private func progress() {
        guard showProgress else { return }
        let done = state.withLock { $0.done }
        FileHandle.standardError.write(Data("\r[\(done)/\(total) done]".utf8))
    }

    private func clearProgress() {
        guard showProgress else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Messages for the person at the terminal.
enum Terminal {
    /// Writes `message` to stdout at once (unbuffered, so it shows even when stdout is a file).
    static func say(_ message: String) {
        FileHandle.standardOutput.write(Data((message + "\n").utf8))
    }

    /// Writes `message` to stderr.
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
