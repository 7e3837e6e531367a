import CmdopAgent
import CmdopCore
import CmdopMesh
import CmdopProtocol
import CmdopTesting
import Foundation
import Testing

@Suite("The machine's own gate around paths, working directories and the environment", .timeLimit(.minutes(1)))
struct AgentGateTests {
    @Test("a symlink to the agent's seed cannot be read, and cmdop's files are off limits to commands")
    func protectedFiles() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let agent = try await mesh.startAgent("web-1", fleet: fleet)
            let link = mesh.directory + "/innocent.txt"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: agent.configuration.paths.identity)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                await #expect {
                    try await client.readFile(on: "web-1", path: link)
                } throws: { ($0 as? MeshError)?.code == .permissionDenied }
                await #expect {
                    try await client.exec(on: "web-1", command: "cat \(agent.configuration.paths.permissions)")
                } throws: { ($0 as? MeshError)?.code == .permissionDenied }
                await #expect {
                    try await client.exec(on: "web-1", command: "ls", cwd: agent.configuration.paths.home)
                } throws: { ($0 as? MeshError)?.code == .permissionDenied }
            }
        }
    }

    @Test("relative paths are judged from the command's working directory")
    func relativeToCwd() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let agent = try await mesh.startAgent("web-1", fleet: fleet)
            let ssh = agent.configuration.homeDirectory + "/.ssh"
            try FileManager.default.createDirectory(atPath: ssh, withIntermediateDirectories: true)
            try Data("secret".utf8).write(to: URL(fileURLWithPath: ssh + "/id_ed25519"))
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                await #expect {
                    try await client.exec(on: "web-1", command: "head -c 99 id_ed25519", cwd: ssh)
                } throws: { ($0 as? MeshError)?.code == .permissionDenied }
            }
        }
    }

    @Test("exec refuses caller-supplied environment variables")
    func noEnvironment() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                var exec = Cmdop_Agent_V1_ExecRequest()
                exec.command = "git status"
                exec.env = ["GIT_SSH_COMMAND": "sh -c 'touch /tmp/pwned'"]
                await #expect {
                    try await client.send(target: "web-1", .exec(exec)).outcome(deadline: .seconds(30))
                } throws: { ($0 as? MeshError)?.code == .invalidArgument }
            }
        }
    }

    @Test("read_file refuses a FIFO instead of blocking on it")
    func fifo() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            let fifo = mesh.directory + "/pipe"
            #expect(mkfifo(fifo, 0o600) == 0)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                await #expect {
                    try await client.readFile(on: "web-1", path: fifo)
                } throws: { ($0 as? MeshError)?.code == .invalidArgument }
                #expect(try await client.ping("web-1") == "web-1")
            }
        }
    }

    @Test("every allowed operation leaves a decision line before it runs and a result line after")
    func auditBeforeEffect() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let agent = try await mesh.startAgent("web-1", fleet: fleet)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                #expect(try await client.exec(on: "web-1", command: "exit 4").exitCode == 4)
                await #expect(throws: MeshError.self) {
                    try await client.readFile(on: "web-1", path: mesh.directory + "/missing")
                }
            }
            let log = try AuditLog(path: agent.configuration.paths.auditLog).entries()
            #expect(log.map(\.event) == ["decision", "result", "decision", "result"])
            #expect(log[1].exitCode == 4 && log[1].outputDigest?.count == 64)
            #expect(log[3].error?.contains("does not exist") == true)
        }
    }
}
