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
        if request.truncated != 0 {
            return refuse("its arguments are too long to check whole", program: path)
        }
        let located = Self.located(path, pid: request.pid, at: request.at != 0, dirfd: request.dirfd, flags: request.flags)
        guard let real = RefusedBinaries.realPath(located) else {
            // A program that is not there fails as the kernel would fail it (shells search PATH this way);
            // a descriptor that names nothing on disk (a memfd, a deleted file) cannot be checked.
            if located.hasPrefix("/proc/\(request.pid)/fd/") {
                return refuse("it executes a descriptor with no file on disk (a memfd or a deleted file)", program: located)
            }
            return (ENOENT, nil)
        }
        guard Self.isRegularFile(real) else { return (EACCES, nil) }  // as the kernel answers; never opened
        var checks = [(real, argv)]
        var script = real
        for _ in 0..<4 {  // the kernel follows at most four `#!` levels
            guard let line = Self.interpreterLine(of: script) else { break }
            guard let interpreter = Self.resolve(line.path, pid: request.pid), Self.isRegularFile(interpreter) else {
                return refuse("its #! interpreter \(line.path) cannot be found or checked", program: real)
            }
            checks.append((interpreter, [interpreter] + line.arguments + [script] + argv.dropFirst()))
            script = interpreter
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

    /// A regular file (checked without opening it: a FIFO or a device must not block or wake anything).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// An interpreter path from a `#!` line, resolved as the kernel would from the process's directory.
    static func resolve(_ path: String, pid: pid_t) -> String? {
        RefusedBinaries.realPath(path.hasPrefix("/") ? path : "/proc/\(pid)/cwd/\(path)")
    }

    /// The path the kernel would open, seen from this process.
    static func located(_ path: String, pid: pid_t, at: Bool, dirfd: Int32, flags: Int32) -> String {
        if at, path.isEmpty, flags & CMDOP_AT_EMPTY_PATH != 0 { return "/proc/\(pid)/fd/\(dirfd)" }
        if path.hasPrefix("/") { return path }
        if at, dirfd != CMDOP_AT_FDCWD { return "/proc/\(pid)/fd/\(dirfd)/\(path)" }
        return "/proc/\(pid)/cwd/\(path)"
    }

    /// A script's `#!` line: the interpreter as written and its optional argument.
    static func interpreterLine(of path: String) -> (path: String, arguments: [String])? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 256)
        let count = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, 256) }
        guard count > 2, head[0] == 0x23, head[1] == 0x21 else { return nil }
        let line = head[2..<count].prefix { $0 != 0x0A }
        let words = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { String(decoding: $0, as: UTF8.self) }
        guard let first = words.first else { return nil }
        return (first, Array(words.dropFirst().prefix(1)))
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
