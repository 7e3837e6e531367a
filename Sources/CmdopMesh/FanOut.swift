import CmdopCore
import CmdopProtocol
import Foundation

/// Runs one command on many machines over one stream, in parallel, and reports every host:
/// an exit code or a typed error, never a missing entry. Results keep the order of `hosts`
/// (de-duplicated).
public struct FanOut: Sendable {
    /// What happened on one host.
    public enum Outcome: Sendable, Equatable {
        case exited(code: Int32, outputTruncated: Bool)
        case failed(MeshError)

        public var succeeded: Bool {
            if case .exited(0, _) = self { return true }
            return false
        }
    }

    public struct Result: Sendable, Equatable {
        public var host: String
        public var outcome: Outcome
        public var durationMs: Int64
    }

    public var perHostTimeoutMs: Int
    public var totalTimeoutMs: Int

    /// - Parameters:
    ///   - perHostTimeoutMs: clamped to [1 s, 300 s], default 120 s.
    ///   - totalTimeoutMs: clamped to [1 s, 600 s], default 240 s.
    public init(perHostTimeoutMs: Int? = nil, totalTimeoutMs: Int? = nil) {
        self.perHostTimeoutMs = Timeouts.fanOutPerHost(milliseconds: perHostTimeoutMs)
        self.totalTimeoutMs = Timeouts.fanOutTotal(milliseconds: totalTimeoutMs)
    }

    /// Runs `command` on every host through `client`.
    /// - Parameters:
    ///   - onOutput: each output chunk, with its host.
    ///   - onFinished: each host's result as it completes (for progress).
    public func exec(
        _ command: String, on hosts: [String], cwd: String = "", through client: MeshClient,
        onOutput: @escaping @Sendable (String, Cmdop_Agent_V1_OutputChunk) -> Void = { _, _ in },
        onFinished: @escaping @Sendable (Result) -> Void = { _ in }
    ) async -> [Result] {
        let targets = Timeouts.deduplicated(hosts)
        let perHost = perHostTimeoutMs
        let finished = await withTaskGroup(of: Result?.self) { group in
            for host in targets {
                group.addTask {
                    let started = ContinuousClock.now
                    let outcome: Outcome
                    do {
                        let result = try await client.exec(on: host, command: command, cwd: cwd,
                                                           timeoutMs: perHost) { chunk in
                            onOutput(host, chunk)
                        }
                        outcome = .exited(code: result.exitCode, outputTruncated: result.outputTruncated)
                    } catch {
                        outcome = .failed(Self.meshError(error))
                    }
                    let result = Result(host: host, outcome: outcome,
                                        durationMs: (ContinuousClock.now - started).wholeMilliseconds)
                    onFinished(result)
                    return result
                }
            }
            // The total deadline: when it fires first, every unfinished host is cancelled.
            group.addTask { [totalTimeoutMs] in
                try? await Task.sleep(for: .milliseconds(totalTimeoutMs))
                return nil
            }
            var results: [String: Result] = [:]
            while results.count < targets.count, let next = await group.next() {
                guard let result = next else {
                    group.cancelAll()
                    continue
                }
                results[result.host] = result
            }
            group.cancelAll()
            return results
        }
        return targets.map { host in
            finished[host] ?? Result(host: host, outcome: .failed(MeshError(.timeout, "no answer in time")), durationMs: 0)
        }
    }

    private static func meshError(_ error: any Error) -> MeshError {
        if Task.isCancelled { return MeshError(.timeout, "the fan-out's total time ran out") }
        return error as? MeshError ?? MeshError(.internal, "\(error)")
    }
}
