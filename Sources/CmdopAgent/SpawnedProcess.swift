import CExecSupervisor
import CmdopCore
import Foundation

/// A command's shell, started by the C spawner (fork and exec, nothing else of the agent's
/// inherited): its own process group, the given umask, and — when supervised — a seccomp filter
/// whose execs wait for the agent's answer on `execListener`.
struct SpawnedProcess: Sendable {
    let pid: pid_t
    /// Where the process tree's execs arrive; nil when not supervised.
    let execListener: Int32?

    /// Starts `arguments[0]` with exactly `environment`, in `cwd`, writing to `stdout` and `stderr`.
    /// - Throws: `MeshError(.internal)` naming the step that failed.
    static func start(arguments: [String], environment: [String: String], cwd: String, umask: mode_t,
                      stdout: Int32, stderr: Int32, supervise: Bool) throws -> SpawnedProcess {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var listener: Int32 = -1
        var error: Int32 = 0
        var step: Int32 = 0
        let pid = cmdop_spawn(arguments[0], argv, envp, cwd, umask, stdout, stderr, supervise ? 1 : 0, &listener, &error, &step)
        guard pid > 0 else {
            let what = ["", "create its pipes", "fork", "set it up (working directory, descriptors, exec filter)",
                        "receive its exec listener"][min(Int(step), 4)]
            throw MeshError(.internal, "could not start \(arguments[0]) in \(cwd): \(what): \(String(cString: strerror(error)))")
        }
        return SpawnedProcess(pid: pid, execListener: listener >= 0 ? listener : nil)
    }

    /// Waits for the exit on a thread of its own (the pool's few threads must not block); calls
    /// `exited` with the exit status (128 + the signal when a signal ended it).
    func waitForExit(_ exited: @escaping @Sendable (Int32) -> Void) {
        let pid = self.pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else {
                    exited(-1)
                    return
                }
            }
            let signal = status & 0x7F
            exited(signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
        }
    }
}
