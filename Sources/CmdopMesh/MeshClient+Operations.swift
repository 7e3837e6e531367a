import CmdopCore
import CmdopProtocol
import Foundation

extension MeshClient {
    /// Every machine of the caller's fleet, with presence.
    public func machines() async throws -> [MachineSummary] {
        let done = try await send(target: "", .listMachines(.init())).outcome(deadline: .seconds(30))
        guard case .machines(let list) = done.result else {
            throw MeshError(.protocol, "the relay answered list_machines with another result")
        }
        return list.machines.map(MachineSummary.init)
    }

    /// Runs `command` on `target` through `/bin/sh -c`, streaming output to `onOutput`.
    /// - Parameters:
    ///   - timeoutMs: the command's own limit, clamped to [1, 600000]; default 120 s.
    /// - Throws: `MeshError` (`machine_offline`, `not_found`, `ambiguous`, `permission_denied`,
    ///   `timeout`, …). A non-zero exit code is a result, not an error.
    public func exec(on target: String, command: String, cwd: String = "", timeoutMs: Int? = nil,
                     onOutput: @Sendable (Cmdop_Agent_V1_OutputChunk) -> Void = { _ in }) async throws
        -> Cmdop_Agent_V1_ExecResult
    {
        var exec = Cmdop_Agent_V1_ExecRequest()
        exec.command = command
        exec.cwd = cwd
        let limit = Timeouts.singleCall(milliseconds: timeoutMs)
        // The machine enforces the limit; the margin covers the kill grace period and transit.
        let done = try await send(target: target, timeoutMs: limit, .exec(exec))
            .outcome(deadline: .milliseconds(limit + 15_000), onOutput: onOutput)
        guard case .exec(let result) = done.result else {
            throw MeshError(.protocol, "the machine answered exec with another result")
        }
        return result
    }

    /// Reads bytes `[start, end)` of `path` on `target` (capped by the machine).
    public func readFile(on target: String, path: String, start: UInt64 = 0, end: UInt64 = 0) async throws
        -> Cmdop_Agent_V1_ReadFileResult
    {
        var read = Cmdop_Agent_V1_ReadFileRequest()
        read.path = path
        read.start = start
        read.end = end
        let done = try await send(target: target, .readFile(read)).outcome(deadline: .seconds(130))
        guard case .readFile(let result) = done.result else {
            throw MeshError(.protocol, "the machine answered read_file with another result")
        }
        return result
    }

    /// Lists the entries of the directory `path` on `target`.
    public func listDir(on target: String, path: String) async throws -> Cmdop_Agent_V1_ListDirResult {
        var list = Cmdop_Agent_V1_ListDirRequest()
        list.path = path
        let done = try await send(target: target, .listDir(list)).outcome(deadline: .seconds(130))
        guard case .listDir(let result) = done.result else {
            throw MeshError(.protocol, "the machine answered list_dir with another result")
        }
        return result
    }

    /// A no-op round trip through the relay to `target`; returns the machine's hostname.
    public func ping(_ target: String, timeoutMs: Int = 10_000) async throws -> String {
        let done = try await send(target: target, timeoutMs: timeoutMs, .ping(.init()))
            .outcome(deadline: .milliseconds(timeoutMs))
        guard case .ping(let result) = done.result else {
            throw MeshError(.protocol, "the machine answered ping with another result")
        }
        return result.hostname
    }
}
