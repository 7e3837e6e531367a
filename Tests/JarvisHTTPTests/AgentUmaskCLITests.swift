import CmdopCore
import CmdopMesh
import CmdopTesting
import Foundation
import Testing

/// `cmdop agent start`, the real binary started from a shell with umask 022: its own files stay
/// owner-only, and the commands it runs get the shell's umask, not cmdop's 077.
@Suite("cmdop agent: its files are private, its commands get the machine's umask", .timeLimit(.minutes(1)))
struct AgentUmaskCLITests {
    typealias CLI = ChatCLITests.CLI

    @Test("a file a command creates is 0644 under umask 022; --umask 027 makes it 0640; the agent's key stays 0600",
          arguments: [(nil as String?, "644", "0022"), ("027", "640", "0027")])
    func commandUmask(option: String?, mode: String, umask: String) async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let home = mesh.directory + "/agent-home"
            let server = "http://\(mesh.endpoint.host):\(mesh.endpoint.port)"
            let join = try CLI(["join", fleet.joinKey, "--server", server, "--hostname", "umask-1", "--home", home], umask: "022")
            #expect(await join.finish() == 0, "\(join.printed)")
            let bypass = try CLI(["permissions", "mode", "bypass", "--home", home])
            #expect(await bypass.finish() == 0, "\(bypass.printed)")
            let agent = try CLI(["agent", "start", "--home", home] + (option.map { ["--umask", $0] } ?? []), umask: "022")
            defer { agent.process.interrupt() }
            let file = mesh.directory + "/made-by-a-command"
            let output = OutputText()
            let result = try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                try await mesh.waitUntil("the agent is online") { try await client.machines().first { $0.hostname == "umask-1" }?.online == true }
                return try await client.exec(on: "umask-1", command: "touch \(file) && stat -c %a \(file) && umask") { output.add($0.data) }
            }
            #expect(result.exitCode == 0)
            #expect(output.text == "\(mode)\n\(umask)\n")
            let key = try FileManager.default.attributesOfItem(atPath: home + "/agent_keypair.bin")[.posixPermissions] as? Int
            #expect(key == 0o600)
            let audit = try FileManager.default.attributesOfItem(atPath: home + "/state/audit.jsonl")[.posixPermissions] as? Int
            #expect(audit == 0o600)
        }
    }

    @Test("--umask takes octal only")
    func badUmask() async throws {
        let agent = try CLI(["agent", "start", "--umask", "u=rwx", "--home", FileManager.default.temporaryDirectory.path + "/none"])
        #expect(await agent.finish() == 64)
        #expect(agent.printed.contains("--umask 'u=rwx' is not an octal umask such as 022"), "\(agent.printed)")
    }
}

/// Output chunks collected from another thread.
final class OutputText: Sendable {
    private let collected = Locked(Data())
    func add(_ data: Data) { collected.withLock { $0.append(data) } }
    var text: String { String(decoding: collected.value, as: UTF8.self) }
}
