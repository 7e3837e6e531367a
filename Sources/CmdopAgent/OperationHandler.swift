import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopPermissions
import CmdopProtocol
import Foundation

/// Serves one inbound request on a machine: the machine's own gate first, then the operation, and
/// an audit line for every decision and outcome.
struct OperationHandler: Sendable {
    let hostname: String
    let permissions: PermissionsFile
    let audit: AuditLog
    let homeDirectory: String
    let readFileCap: UInt64
    let listDirCap: Int
    let killGrace: Duration
    let outputChunkBytes: Int

    /// Handles `request`, sending its events and its `Done` or `Error` through `send`.
    func handle(_ request: Cmdop_Agent_V1_Request, send: @escaping @Sendable (Frame) -> Void) async {
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
                result = .exec(try await runExec(exec, request: request, send: send))
            case .readFile(let read):
                result = .readFile(try readFile(read, request: request))
            case .listDir(let list):
                result = .listDir(try listDir(list, request: request))
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

    // MARK: Operations

    private func runExec(_ exec: Cmdop_Agent_V1_ExecRequest, request: Cmdop_Agent_V1_Request,
                         send: @escaping @Sendable (Frame) -> Void) async throws -> Cmdop_Agent_V1_ExecResult {
        let command = exec.command
        guard !command.trimmingWhitespace().isEmpty else {
            throw MeshError(.invalidArgument, "exec needs a command")
        }
        var entry = try gate(.command(command, tool: "execute_command", target: hostname),
                             tool: "execute_command", operation: "exec", input: command, request: request)
        let cwd = exec.cwd.isEmpty ? homeDirectory : exec.cwd
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: cwd, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MeshError(.invalidArgument, "working directory \(cwd) does not exist on \(hostname)")
        }
        let timeoutMs = Timeouts.singleCall(milliseconds: Int(request.timeoutMs))
        let runner = CommandRunner(killGrace: killGrace)
        let started = ContinuousClock.now
        let chunkBytes = outputChunkBytes
        let outcome = try await runner.run(
            command: command, cwd: cwd, environment: exec.env, timeout: .milliseconds(timeoutMs)
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
        entry.exitCode = outcome.exitCode
        entry.outputDigest = Crypto.hex(outcome.outputDigest)
        entry.durationMs = (ContinuousClock.now - started).wholeMilliseconds
        audit.append(entry)
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

    private func readFile(_ read: Cmdop_Agent_V1_ReadFileRequest, request: Cmdop_Agent_V1_Request) throws
        -> Cmdop_Agent_V1_ReadFileResult
    {
        let path = expand(read.path)
        var entry = try gate(.file(path, tool: "read_file", target: hostname), tool: "read_file",
                             operation: "read", input: "\(path)#\(read.start)-\(read.end)", request: request)
        guard read.end == 0 || read.end >= read.start else {
            throw MeshError(.invalidArgument, "read_file: end (\(read.end)) is before start (\(read.start))")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MeshError(.notFound, "\(path) does not exist or cannot be read on \(hostname)")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = min(read.start, size)
        let wanted = (read.end == 0 ? size : min(read.end, size)) - start
        let length = min(wanted, readFileCap)
        try handle.seek(toOffset: start)
        let data = try handle.read(upToCount: Int(length)) ?? Data()
        var result = Cmdop_Agent_V1_ReadFileResult()
        result.content = data
        result.size = size
        result.truncated = wanted > length
        entry.outputDigest = Crypto.hex(Crypto.sha256(data))
        audit.append(entry)
        return result
    }

    private func listDir(_ list: Cmdop_Agent_V1_ListDirRequest, request: Cmdop_Agent_V1_Request) throws
        -> Cmdop_Agent_V1_ListDirResult
    {
        let path = expand(list.path.isEmpty ? "." : list.path)
        let entry = try gate(.file(path, tool: "list_dir", target: hostname), tool: "list_dir", operation: "list",
                             input: path, request: request)
        audit.append(entry)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw MeshError(.notFound, "\(path) is not a readable directory on \(hostname)")
        }
        var result = Cmdop_Agent_V1_ListDirResult()
        result.truncated = names.count > listDirCap
        result.entries = names.prefix(listDirCap).map { name in
            var item = Cmdop_Agent_V1_DirEntry()
            item.name = name
            var info = stat()
            let full = path + "/" + name
            if lstat(full, &info) == 0 {
                item.isSymlink = info.st_mode & S_IFMT == S_IFLNK
                if item.isSymlink { _ = stat(full, &info) }
                item.isDir = info.st_mode & S_IFMT == S_IFDIR
                item.size = UInt64(info.st_size)
                item.modifiedUnixMs = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
            }
            return item
        }
        return result
    }

    // MARK: Gate and audit

    /// Decides `gateRequest` with the machine's policy; a denial is audited and thrown, an allow
    /// returns the audit entry for the caller to complete.
    private func gate(_ gateRequest: GateRequest, tool: String, operation: String, input: String,
                      request: Cmdop_Agent_V1_Request) throws -> AuditEntry {
        let policy: PermissionPolicy
        do {
            policy = try permissions.policy()
        } catch {
            let entry = auditEntry(tool: tool, operation: operation, input: input, request: request,
                                   decision: "deny", mode: "strict", source: "mode", rule: nil,
                                   reason: "permissions file unreadable: \(error)")
            audit.append(entry)
            throw MeshError(.permissionDenied, "\(hostname) refuses everything until its permissions file is fixed: \(error)")
        }
        let gate = PermissionGate(layers: [policy], mode: policy.mode, context: GateContext(home: homeDirectory))
        let verdict = gate.decide(gateRequest)
        let allowed = verdict.decision == .allow
        // A headless agent has nobody to ask: `ask` is refused at once.
        let decision = switch verdict.decision {
        case .allow: "allow"
        case .deny: "deny"
        case .ask: "ask_denied"
        }
        let reason = verdict.decision == .ask ? verdict.reason + " (no approver on a headless agent)" : verdict.reason
        let entry = auditEntry(tool: tool, operation: operation, input: input, request: request, decision: decision,
                               mode: policy.mode.rawValue, source: "\(verdict.source)", rule: verdict.rule,
                               reason: reason)
        guard allowed else {
            audit.append(entry)
            throw MeshError(.permissionDenied, "\(hostname)'s permissions refuse this: \(reason)")
        }
        return entry
    }

    private func auditEntry(tool: String, operation: String, input: String, request: Cmdop_Agent_V1_Request,
                            decision: String, mode: String, source: String, rule: String?, reason: String)
        -> AuditEntry
    {
        AuditEntry(
            ts: AuditLog.timestamp(), decision: decision, tool: tool, operation: operation, target: hostname,
            mode: mode, source: source, ruleID: rule.map(Crypto.sha256Hex) ?? "", reason: reason,
            inputDigest: Crypto.sha256Hex(input), askMs: 0, hostname: hostname, user: request.origin,
            requestID: request.requestID)
    }

    private func expand(_ path: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return homeDirectory + path.dropFirst(1) }
        if path.hasPrefix("/") { return path }
        return homeDirectory + "/" + path
    }
}
