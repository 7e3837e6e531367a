import CExecSupervisor
import CmdopPermissions
import Foundation

/// Answers every exec of one command's process tree (seccomp user notification): the program's
/// real path and argv go through the gate's exec check and the refused binaries' identities; a
/// refused exec fails with EPERM inside the command and is reported with its process chain.
///
/// Time-of-check races: the path and argv are read from the process's memory, so an exec from a
/// process with more than one thread (whose other threads could rewrite them) is refused, and an
/// answer is sent only while the kernel says the request still waits. A file renamed over the
/// checked path between the check and the exec is not caught (the README says so).
public struct ExecSupervisor: Sendable {
    /// One refused exec.
    struct Refusal: Sendable, Equatable {
        let program: String
        let argv: [String]
        let reason: String
        /// `floor`, `rule`, `identity` (a copy of a refused binary) or `supervisor` (it could not check).
        let source: String
        let rule: String?
        /// The processes from the refused one up to the command's shell, as `pid:name`.
        let chain: [String]
    }

    /// Whether the kernel offers what the supervisor needs (seccomp user notification, Linux ≥ 5.5).
    public static var isAvailable: Bool { cmdop_supervisor_available() == 1 }

    let gate: PermissionGate
    let refused: RefusedBinaries

    init(gate: PermissionGate) {
        self.gate = gate
        refused = RefusedBinaries.of(gate.refusedProgramNames)
    }

    /// Answers the execs arriving on `listener` on a thread of its own until the tree has exited,
    /// then closes it. The first exec — `firstProgram` by the root process, the shell the runner
    /// starts — is let through.
    func watch(_ listener: Int32, root: pid_t, firstProgram: String, onRefusal: @escaping @Sendable (Refusal) -> Void) {
        Thread.detachNewThread {
            var request = cmdop_exec_request()
            var first = true
            while cmdop_next_exec(listener, &request) == 0 {
                let path = String(cString: cmdop_exec_path(&request))
                if first, request.pid == root, path == firstProgram {
                    first = false
                    _ = cmdop_answer_exec_error(listener, request.id, 0)
                    continue
                }
                first = false
                let (error, refusal) = decide(&request, path: path, root: root)
                guard cmdop_exec_still_waiting(listener, request.id) == 1 else { continue }
                _ = cmdop_answer_exec_error(listener, request.id, error)
                if let refusal { onRefusal(refusal) }
            }
            close(listener)
        }
    }

    /// The errno to answer with (0 lets it run) and, for EPERM, the refusal.
    private func decide(_ request: inout cmdop_exec_request, path: String, root: pid_t) -> (Int32, Refusal?) {
        let argv = Self.strings(cmdop_exec_argv(&request), count: Int(request.argc), limit: 65536)
        let pid = request.pid
        func refuse(_ reason: String, source: String = "supervisor", rule: String? = nil, program: String) -> (Int32, Refusal?) {
            (EPERM, Refusal(program: program, argv: argv, reason: reason, source: source, rule: rule,
                            chain: Self.chain(from: pid, to: root)))
        }
        guard !path.isEmpty || request.flags & CMDOP_AT_EMPTY_PATH != 0 else {
            return refuse("the exec's path could not be read from the process", program: "?")
        }
        if request.threaded != 0 {
            return refuse("an exec from a process with several threads cannot be checked safely", program: path)
        }
        let located = Self.located(path, pid: request.pid, at: request.at != 0, dirfd: request.dirfd, flags: request.flags)
        // A missing program fails as the kernel would fail it; shells look programs up this way.
        guard let real = RefusedBinaries.realPath(located) else { return (ENOENT, nil) }
        var checks = [(real, argv)]
        if let interpreter = Self.interpreter(of: real) {
            checks.append((interpreter.path, [interpreter.path] + interpreter.arguments + [real] + argv.dropFirst()))
        }
        for (program, words) in checks {
            if let name = refused.program(at: program) {
                return refuse("\(program) is \(name), which a rule refuses (found by its identity)", source: "identity", program: program)
            }
            let verdict = gate.decideExec(path: program, argv: words)
            if verdict.decision != .allow { return refuse(verdict.reason, source: "\(verdict.source)", rule: verdict.rule, program: program) }
        }
        return (0, nil)
    }

    /// The path the kernel would open, seen from this process.
    static func located(_ path: String, pid: pid_t, at: Bool, dirfd: Int32, flags: Int32) -> String {
        if at, path.isEmpty, flags & CMDOP_AT_EMPTY_PATH != 0 { return "/proc/\(pid)/fd/\(dirfd)" }
        if path.hasPrefix("/") { return path }
        if at, dirfd != CMDOP_AT_FDCWD { return "/proc/\(pid)/fd/\(dirfd)/\(path)" }
        return "/proc/\(pid)/cwd/\(path)"
    }

    /// A script's `#!` interpreter (resolved) and its optional argument.
    static func interpreter(of path: String) -> (path: String, arguments: [String])? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 256)) ?? Data()
        guard head.starts(with: [0x23, 0x21]), let line = String(data: head.dropFirst(2), encoding: .utf8)?
            .split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first else { return nil }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first, let real = RefusedBinaries.realPath(first) else { return nil }
        return (real, Array(words.dropFirst().prefix(1)))
    }

    /// `pid:name` from `pid` up through its parents to `root` (at most 32).
    static func chain(from pid: pid_t, to root: pid_t) -> [String] {
        var chain: [String] = []
        var current = pid
        for _ in 0..<32 {
            let name = (try? String(contentsOfFile: "/proc/\(current)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            chain.append("\(current):\(name)")
            guard current != root, let stat = try? String(contentsOfFile: "/proc/\(current)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { break }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let parent = pid_t(fields[1]), parent > 1 else { break }
            current = parent
        }
        return chain
    }

    /// `count` NUL-terminated strings laid end to end from `pointer`, within `limit` bytes.
    private static func strings(_ pointer: UnsafePointer<CChar>, count: Int, limit: Int) -> [String] {
        var result: [String] = []
        var offset = 0
        while result.count < count, offset < limit {
            let length = strlen(pointer + offset)
            let bytes = UnsafeRawPointer(pointer + offset).assumingMemoryBound(to: UInt8.self)
            result.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
            offset += length + 1
        }
        return result
    }
}
