import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopPermissions
import CmdopProtocol
import Foundation

/// Serves one inbound request on a machine: the machine's own gate first, then the operation
/// (`exec`, `read_file`, `list_dir`, `ping`, and `ask`, which runs a local agent loop).
///
/// The audit log gets a `decision` line before anything happens, and a `result` line on every
/// path after an allow (exit code and output digest, or the error), so an agent killed mid-command
/// still leaves a record of what it was asked and allowed to do.
struct OperationHandler: Sendable {
    let hostname: String
    let permissions: PermissionsFile
    let audit: AuditLog
    let homeDirectory: String
    /// cmdop's own files: never readable or writable through the gate.
    let protectedPaths: [String]
    let readFileCap: UInt64
    let listDirCap: Int
    let killGrace: Duration
    let outputChunkBytes: Int
    let commandUmask: mode_t
    /// Whether commands run under the exec supervisor.
    let superviseExecs: Bool

    /// The environment commands run with: enough to work, none of the agent's own variables.
    static let commandEnvironmentKeys = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "SHELL"]

    /// Handles `request`, sending its events and its `Done` or `Error` through `send`.
    /// - Parameters:
    ///   - send: for frames from async code (never blocks).
    ///   - sendOutput: for output chunks, called on the pipe-reader threads; may block while the
    ///     stream is backed up, which slows the command's output instead of buffering it.
    ///   - channel: this link's outbound requests (an ask's model calls go back to jarvis through it).
    func handle(_ request: Cmdop_Agent_V1_Request, channel: RequestChannel, send: @escaping @Sendable (Frame) -> Void,
                sendOutput: @escaping @Sendable (Frame) -> Void) async {
        let started = ContinuousClock.now
        let id = request.requestID
        do {
            let result: Cmdop_Agent_V1_Done.OneOf_Result
            switch request.operation {
            case .ping:
                var pong = Cmdop_Agent_V1_PingResult()
                pong.hostname = hostname
                result = .ping(pong)
            case .exec(let exec):
                result = .exec(try await runExec(exec, request: request, send: sendOutput))
            case .readFile(let read):
                result = .readFile(try readFile(read, request: request))
            case .listDir(let list):
                result = .listDir(try listDir(list, request: request))
            case .ask(let ask):
                let os = ProcessInfo.processInfo.operatingSystemVersionString
                result = .ask(try await AskHandler(operations: self, os: os)
                    .run(ask, request: request, channel: channel, send: send))
            default:
                throw MeshError(.invalidArgument, "this agent does not serve that operation")
            }
            var done = Cmdop_Agent_V1_Done()
            done.requestID = id
            done.durationMs = (ContinuousClock.now - started).wholeMilliseconds
            done.result = result
            send(.with(.done(done)))
        } catch let error as MeshError {
            send(.error(error, requestID: id))
        } catch {
            send(.error(MeshError(.internal, "\(error)"), requestID: id))
        }
    }

    func runExec(_ exec: Cmdop_Agent_V1_ExecRequest, request: Cmdop_Agent_V1_Request,
                         send: @escaping @Sendable (Frame) -> Void) async throws -> Cmdop_Agent_V1_ExecResult {
        let command = exec.command
        guard !command.trimmingWhitespace().isEmpty else {
            throw MeshError(.invalidArgument, "exec needs a command")
        }
        guard exec.env.isEmpty else {
            // Variables such as LD_PRELOAD or GIT_SSH_COMMAND would run code no rule saw.
            throw MeshError(.invalidArgument, "exec does not take environment variables; set them inside the command, where the gate sees them")
        }
        let cwd = exec.cwd.isEmpty ? homeDirectory : expand(exec.cwd)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: cwd, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MeshError(.invalidArgument, "working directory \(cwd) does not exist on \(hostname)")
        }
        let realCwd = Self.realPath(cwd)
        var (entry, commandGate) = try gated(.command(command, tool: "execute_command", target: hostname), tool: "execute_command",
                                             operation: "exec", input: command, request: request, workingDirectory: realCwd)
        if let reason = floorForDirectory(realCwd) {
            entry.reason = reason
            finish(entry, error: reason)
            throw MeshError(.permissionDenied, "\(hostname) refuses to run commands in \(cwd): \(reason)")
        }
        let timeoutMs = Timeouts.singleCall(milliseconds: Int(request.timeoutMs))
        let started = ContinuousClock.now
        let refusals = Locked(0)
        let chunkBytes = outputChunkBytes
        let environment = ProcessInfo.processInfo.environment.filter { Self.commandEnvironmentKeys.contains($0.key) }
        let outcome: CommandRunner.Outcome
        do {
            outcome = try await CommandRunner(killGrace: killGrace).run(
                command: command, cwd: realCwd, environment: environment, umask: commandUmask, timeout: .milliseconds(timeoutMs),
                supervisor: execSupervisor(commandGate),
                onRefusal: { [self] refusal in
                    // A loop of refused execs must not fill the disk: the first 100 of a command are written.
                    let count = refusals.withLock { count -> Int in
                        count += 1
                        return count
                    }
                    if count <= 100 { auditRefusal(refusal, request: request, more: count == 100) }
                }
            ) { stream, data in
                var offset = data.startIndex
                while offset < data.endIndex {
                    let end = data.index(offset, offsetBy: chunkBytes, limitedBy: data.endIndex) ?? data.endIndex
                    var chunk = Cmdop_Agent_V1_OutputChunk()
                    chunk.stream = stream == .stdout ? .stdout : .stderr
                    chunk.data = data[offset..<end]
                    var event = Cmdop_Agent_V1_Event()
                    event.requestID = request.requestID
                    event.payload = .output(chunk)
                    send(.with(.event(event)))
                    offset = end
                }
            }
        } catch {
            finish(entry, error: "\(error)")
            throw error
        }
        entry.exitCode = outcome.exitCode
        entry.outputDigest = Crypto.hex(outcome.outputDigest)
        entry.durationMs = (ContinuousClock.now - started).wholeMilliseconds
        if outcome.timedOut { entry.reason = "timed out after \(timeoutMs) ms" }
        if outcome.cancelled { entry.reason = "cancelled by the caller" }
        finish(entry)
        if outcome.timedOut {
            throw MeshError(.timeout, "the command ran longer than \(timeoutMs) ms and was stopped")
        }
        if outcome.cancelled {
            throw MeshError(.cancelled, "the command was cancelled")
        }
        var result = Cmdop_Agent_V1_ExecResult()
        result.exitCode = outcome.exitCode
        result.outputTruncated = outcome.outputTruncated
        return result
    }

    /// The floor's word on a working directory (commands may not run inside cmdop's own files).
    private func floorForDirectory(_ directory: String) -> String? {
        let gate = PermissionGate(layers: [], mode: .bypass, context: gateContext(workingDirectory: nil))
        let verdict = gate.decide(.file(directory, tool: "list_dir", target: hostname))
        return verdict.decision == .deny ? verdict.reason : nil
    }

    func expand(_ path: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return homeDirectory + path.dropFirst(1) }
        if path.hasPrefix("/") { return path }
        return homeDirectory + "/" + path
    }

    /// The path with symbolic links resolved, or the path itself when it does not exist.
    static func realPath(_ path: String) -> String {
        RefusedBinaries.realPath(path) ?? path
    }
}
