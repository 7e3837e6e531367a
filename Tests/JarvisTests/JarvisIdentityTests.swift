import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopTesting
import Foundation
import Testing

@Suite("jarvis joins the relay as an ordinary participant with its own identity", .timeLimit(.minutes(1)))
struct JarvisIdentityTests {
    @Test("a registered jarvis connects with its key, is listed with is_jarvis, and can run commands")
    func registeredJarvis() async throws {
        // 2 s heartbeats: a busy machine may hold a heartbeat back a second or two, which must not
        // read as three missed ones.
        try await TestMesh.with(heartbeat: .seconds(2)) { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            let identity = Ed25519Identity.generate().identity
            _ = try mesh.store.registerJarvis(fleetID: fleet.id, hostname: "jarvis", publicKey: identity.publicKey)
            let credentials = MachineCredentials(identity: identity, role: .jarvis, fleet: "ops", hostname: "jarvis")
            try await MeshClient.connect(to: mesh.endpoint, credentials: .machine(credentials)) { client in
                let machines = try await client.machines()
                let jarvis = try #require(machines.first { $0.hostname == "jarvis" })
                #expect(jarvis.isJarvis && jarvis.online)
                #expect(try await client.exec(on: "web-1", command: "true").exitCode == 0)
                // Heartbeats keep it present past three intervals.
                try await Task.sleep(for: mesh.heartbeat * 4)
                #expect(try await client.machines().first { $0.hostname == "jarvis" }?.online == true)
            }
        }
    }

    @Test("another key cannot take jarvis's hostname, and a plain agent cannot act for the fleet")
    func impostors() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            _ = try mesh.store.registerJarvis(fleetID: fleet.id, hostname: "jarvis",
                                              publicKey: Ed25519Identity.generate().identity.publicKey)
            let impostor = MachineCredentials(identity: Ed25519Identity.generate().identity, role: .jarvis,
                                              fleet: "ops", hostname: "jarvis")
            await #expect {
                try await MeshClient.connect(to: mesh.endpoint, credentials: .machine(impostor)) { try await $0.machines() }
            } throws: { ($0 as? MeshError)?.code == .permissionDenied }
            let agent = try await mesh.startAgent("web-2", fleet: fleet)
            let asAgent = MachineCredentials(identity: agent.configuration.identity, fleet: "ops", hostname: "web-2")
            await #expect {
                try await MeshClient.connect(to: mesh.endpoint, credentials: .machine(asAgent)) { client in
                    try await client.exec(on: "web-1", command: "true")
                }
            } throws: { ($0 as? MeshError)?.code == .permissionDenied }
        }
    }
}
