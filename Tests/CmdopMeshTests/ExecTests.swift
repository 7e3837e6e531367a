import CmdopCore
import CmdopMesh
import CmdopProtocol
import CmdopTesting
import Foundation
import Synchronization
import Testing

/// Collects streamed output chunks per stream.
final class OutputCollector: Sendable {
    private let chunks = Mutex<[(Cmdop_Agent_V1_OutputStream, Data)]>([])
    func add(_ chunk: Cmdop_Agent_V1_OutputChunk) { chunks.withLock { $0.append((chunk.stream, chunk.data)) } }
    var stdout: String { text(.stdout) }
    var stderr: String { text(.stderr) }
    var count: Int { chunks.withLock { $0.count } }
    private func text(_ stream: Cmdop_Agent_V1_OutputStream) -> String {
        chunks.withLock { String(decoding: $0.filter { $0.0 == stream }.flatMap { $0.1 }, as: UTF8.self) }
    }
}

@Suite("exec, read_file and list_dir through a real relay", .timeLimit(.minutes(1)))
struct ExecTests {
    @Test("exec streams stdout and stderr separately and returns the exit code")
    func execStreams() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            let output = OutputCollector()
            let result = try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                try await client.exec(on: "web-1", command: "echo out; echo err >&2; exit 3") { output.add($0) }
            }
            #expect(result.exitCode == 3)
            #expect(output.stdout == "out\n")
            #expect(output.stderr == "err\n")
        }
    }

    @Test("output arrives while the command is still running, in chunks")
    func streamsBeforeExit() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            // The command waits for a file that only the arrival of its first line creates: it can
            // finish only if that line reached the caller while it was still running.
            let go = mesh.directory + "/go"
            let result = try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                try await client.exec(on: "web-1", command: "echo first; while test ! -e \(go); do sleep 0.02; done; echo second",
                                      timeoutMs: 30_000) { chunk in
                    if String(decoding: chunk.data, as: UTF8.self).contains("first") {
                        _ = FileManager.default.createFile(atPath: go, contents: nil)
                    }
                }
            }
            #expect(result.exitCode == 0)
        }
    }

    @Test("a command past its timeout is stopped, with its process group, and reported as timeout")
    func timeout() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            let pidFile = mesh.directory + "/sleeper.pid"
            await #expect {
                try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                    // 5 s: time enough to write the pid file on a busy machine, long before `sleep` ends.
                    try await client.exec(on: "web-1", command: "sleep 600 & echo $! > \(pidFile); wait", timeoutMs: 5_000)
                }
            } throws: { ($0 as? MeshError)?.code == .timeout }
            let pid = try #require(Int32(String(decoding: FileManager.default.contents(atPath: pidFile) ?? Data(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)))
            try await mesh.waitUntil("the sleeper to be killed") { !Self.isRunning(pid) }
        }
    }

    @Test("cancelling the caller kills the whole process group on the machine")
    func cancelKills() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            let pidFile = mesh.directory + "/sleeper.pid"
            let task = Task {
                try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                    try await client.exec(on: "web-1", command: "sleep 30 & echo $! > \(pidFile); wait")
                }
            }
            try await mesh.waitUntil("the sleeper to start") {
                FileManager.default.contents(atPath: pidFile).map { !$0.isEmpty && $0.last == 10 } ?? false
            }
            let pid = try #require(Int32(String(decoding: FileManager.default.contents(atPath: pidFile)!, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(Self.isRunning(pid))
            task.cancel()
            _ = try? await task.value
            try await mesh.waitUntil("the sleeper to be killed") { !Self.isRunning(pid) }
        }
    }

    /// Alive and not a zombie (an orphan may wait a while for a reaper).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }

    @Test("read_file honours start and end, caps the size and says truncated")
    func readFile() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet) { $0.readFileCap = 8 }
            let path = mesh.directory + "/data.txt"
            try Data("0123456789abcdef".utf8).write(to: URL(fileURLWithPath: path))
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                let slice = try await client.readFile(on: "web-1", path: path, start: 2, end: 6)
                #expect(String(decoding: slice.content, as: UTF8.self) == "2345")
                #expect(!slice.truncated)
                #expect(slice.size == 16)
                let capped = try await client.readFile(on: "web-1", path: path)
                #expect(String(decoding: capped.content, as: UTF8.self) == "01234567")
                #expect(capped.truncated)
                await #expect {
                    try await client.readFile(on: "web-1", path: path + ".missing")
                } throws: { ($0 as? MeshError)?.code == .notFound }
            }
        }
    }

    @Test("list_dir lists names with kinds and sizes")
    func listDir() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            let folder = mesh.directory + "/listing"
            try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
            try Data("abc".utf8).write(to: URL(fileURLWithPath: folder + "/file.txt"))
            let listing = try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                try await client.listDir(on: "web-1", path: folder)
            }
            #expect(listing.entries.map(\.name) == ["file.txt", "sub"])
            #expect(listing.entries[0].size == 3 && !listing.entries[0].isDir)
            #expect(listing.entries[1].isDir)
        }
    }

    @Test("a fan-out over three machines with one offline reports two results and one machine_offline")
    func fanOut() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            for host in ["web-1", "web-2", "web-3"] { try await mesh.startAgent(host, fleet: fleet) }
            await mesh.stopAgent("web-2")
            let results = try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                try await mesh.waitUntil("web-2 offline") {
                    try await client.machines().first { $0.hostname == "web-2" }?.online == false
                }
                return await FanOut().exec("hostname >/dev/null; echo ok", on: ["web-3", "web-1", "web-2", "web-1"],
                                           through: client)
            }
            #expect(results.map(\.host) == ["web-3", "web-1", "web-2"])
            #expect(results[0].outcome == .exited(code: 0, outputTruncated: false))
            #expect(results[1].outcome == .exited(code: 0, outputTruncated: false))
            guard case .failed(let error) = results[2].outcome else {
                Issue.record("web-2 should have failed")
                return
            }
            #expect(error.code == .machineOffline)
        }
    }
}
