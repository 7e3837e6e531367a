import CmdopCore
import CmdopIdentity
import Foundation
import Synchronization

/// Runs one shell command in its own process group, streaming its output.
///
/// A timeout or a cancel sends SIGTERM to the whole group, then SIGKILL after `killGrace`.
/// Output beyond `outputCap` bytes is dropped (the result says so); the command keeps running.
final class CommandRunner: Sendable {
    enum Stream: Sendable { case stdout, stderr }

    struct Outcome: Sendable {
        var exitCode: Int32
        var timedOut: Bool
        var cancelled: Bool
        var outputTruncated: Bool
        var outputDigest: [UInt8]
    }

    private struct State {
        var pid: pid_t = 0
        var stopReason: StopReason?
        var emitted = 0
        var truncated = false
    }

    private enum StopReason { case timeout, cancel }

    let killGrace: Duration
    let outputCap: Int
    private let state = Mutex(State())

    init(killGrace: Duration = .seconds(3), outputCap: Int = 16 << 20) {
        self.killGrace = killGrace
        self.outputCap = outputCap
    }

    /// Runs `command` with `/bin/sh -c` in `cwd` under `umask` with exactly `environment`, calling
    /// `onOutput` for each chunk. With `supervisor`, every program the command starts is checked
    /// as it is exec'd; each refusal goes to `onRefusal`.
    func run(command: String, cwd: String, environment: [String: String], umask: mode_t, timeout: Duration,
             supervisor: ExecSupervisor? = nil, onRefusal: @escaping @Sendable (ExecSupervisor.Refusal) -> Void = { _ in },
             onOutput: @escaping @Sendable (Stream, Data) -> Void) async throws -> Outcome {
        let stdout = Pipe()
        let stderr = Pipe()
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let digest = SHA256Hasher()
        let stopReading = Locked(false)
        let spawned = try SpawnedProcess.start(
            arguments: ["/bin/sh", "-c", "--", command], environment: environment, cwd: cwd, umask: umask,
            stdout: stdout.fileHandleForWriting.fileDescriptor, stderr: stderr.fileHandleForWriting.fileDescriptor,
            supervise: supervisor != nil)
        // Only the child writes: the reader sees the end once the command's tree has closed them.
        try? stdout.fileHandleForWriting.close()
        try? stderr.fileHandleForWriting.close()
        if let listener = spawned.execListener, let supervisor {
            supervisor.watch(listener, root: spawned.pid, firstProgram: "/bin/sh", onRefusal: onRefusal)
        }
        for (pipe, stream) in [(stdout, Stream.stdout), (stderr, Stream.stderr)] {
            PipeReader.start(pipe, stop: stopReading, onData: { [weak self] data in
                digest.update(data)
                if let kept = self?.admit(data) { onOutput(stream, kept) }
            }, onEnd: {
                continuation.yield(.endOfOutput(stream))
            })
        }
        let status = Locked<Int32>(-1)
        spawned.waitForExit { code in
            status.withLock { $0 = code }
            continuation.yield(.exited)
        }
        let pid = spawned.pid
        state.withLock { $0.pid = pid }

        let watchdog = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.stop(.timeout)
        }
        // The wait runs in its own task so that cancelling the caller stops the process (below)
        // instead of abandoning the wait before the process has exited.
        let waiter = Task { await Self.waitForExitAndOutput(events, continuation: continuation) }
        await withTaskCancellationHandler {
            await waiter.value
        } onCancel: {
            self.stop(.cancel)
        }
        watchdog.cancel()
        stopReading.withLock { $0 = true }
        let (reason, truncated) = state.withLock { ($0.stopReason, $0.truncated) }
        return Outcome(exitCode: status.value, timedOut: reason == .timeout, cancelled: reason == .cancel,
                       outputTruncated: truncated, outputDigest: digest.finish())
    }

    private enum Event: Sendable { case endOfOutput(Stream), exited }

    /// Waits for the exit and both ends of output. A background child that keeps the pipes open
    /// (`daemon &`) gets one second after the exit, then its output is no longer read.
    private static func waitForExitAndOutput(_ events: AsyncStream<Event>,
                                             continuation: AsyncStream<Event>.Continuation) async {
        var ended = Set<Stream>()
        var exited = false
        var drainTimer: Task<Void, Never>?
        for await event in events {
            switch event {
            case .endOfOutput(let stream): ended.insert(stream)
            case .exited:
                exited = true
                drainTimer = Task {
                    try? await Task.sleep(for: .seconds(1))
                    continuation.finish()
                }
            }
            if exited && ended.count == 2 { break }
        }
        drainTimer?.cancel()
    }

    /// Asks the process group to stop: SIGTERM now, SIGKILL after the grace period.
    private func stop(_ reason: StopReason) {
        let pid: pid_t = state.withLock { state in
            if state.stopReason == nil { state.stopReason = reason }
            return state.pid
        }
        guard pid > 0 else { return }
        kill(-pid, SIGTERM)
        let grace = killGrace
        Task.detached {
            try? await Task.sleep(for: grace)
            kill(-pid, SIGKILL)
        }
    }

    /// The part of `data` still under the output cap.
    private func admit(_ data: Data) -> Data? {
        state.withLock { state in
            let room = outputCap - state.emitted
            guard room > 0 else {
                state.truncated = true
                return nil
            }
            let kept = data.count <= room ? data : data.prefix(room)
            if kept.count < data.count { state.truncated = true }
            state.emitted += kept.count
            return kept
        }
    }
}
