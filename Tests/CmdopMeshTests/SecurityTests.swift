import CmdopAgent
import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopProtocol
import CmdopStorage
import CmdopTesting
import Foundation
import Testing

@Suite("Trust: identities, keys and fleets", .timeLimit(.minutes(1)))
struct SecurityTests {
    @Test("an enrolled hostname presenting another key is refused and audited")
    func identityConflict() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            let impostor = Ed25519Identity.generate().identity
            await #expect {
                try await MachineAgent.enroll(joinKey: fleet.joinKey, endpoint: mesh.endpoint, identity: impostor,
                                              hostname: "web-1")
            } throws: { ($0 as? MeshError)?.code == .permissionDenied }
            let events = try mesh.store.auditEvents(fleetID: fleet.id)
            let conflict = try #require(events.last { $0.kind == "identity_conflict" })
            #expect(conflict.hostname == "web-1")
            #expect(conflict.detail.contains(impostor.fingerprint))
        }
    }

    @Test("a Hello signed from the proto comment alone is welcomed; a wrong byte anywhere is refused")
    func handshakeAsDocumented() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let identity = Ed25519Identity.generate().identity
            // The bytes exactly as frames.proto describes them, built without HandshakeTranscript.
            func documented(_ nonce: [UInt8], fleet: String, hostname: String, role: String) -> [UInt8] {
                Array("cmdop.agent.v1/hello".utf8) + [0] + nonce + Array(fleet.utf8) + [0]
                    + Array(hostname.lowercased().utf8) + [0] + Array(role.utf8) + [0] + identity.publicKey
            }
            func hello(_ nonce: [UInt8], signing bytes: [UInt8]) -> Frame {
                var hello = Cmdop_Agent_V1_Hello()
                hello.role = .agent
                hello.fleet = "ops"
                hello.hostname = "Web-7"
                hello.joinKey = fleet.joinKey
                hello.publicKey = Data(identity.publicKey)
                hello.nonce = Data(nonce)
                hello.signature = Data(identity.sign(bytes))
                return .with(.hello(hello))
            }
            let spoiled: [(String, ([UInt8]) -> [UInt8])] = [
                ("no NUL after the label", { Array("cmdop.agent.v1/hello".utf8) + $0 + Array("ops\u{0}web-7\u{0}agent\u{0}".utf8) + identity.publicKey }),
                ("hostname as typed", { documented($0, fleet: "ops", hostname: "Web-7", role: "agent").replacing(Array("web-7".utf8), with: Array("Web-7".utf8)) }),
                ("role jarvis", { documented($0, fleet: "ops", hostname: "Web-7", role: "jarvis") }),
            ]
            for (what, bytes) in spoiled {
                let nonce = try await RawRelayStream.challenge(mesh.endpoint)
                let refused = try await RawRelayStream.exchange(mesh.endpoint, [.frame(hello(nonce, signing: bytes(nonce)))])
                guard case .error(let error) = refused.frames.first?.body else {
                    Issue.record("\(what): expected a refusal, got \(refused.frames)")
                    continue
                }
                #expect(error.code == .unauthenticated, "\(what)")
            }
            let nonce = try await RawRelayStream.challenge(mesh.endpoint)
            let reply = try await RawRelayStream.exchange(
                mesh.endpoint, [.frame(hello(nonce, signing: documented(nonce, fleet: "ops", hostname: "Web-7", role: "agent")))],
                until: { !$0.isEmpty })
            guard case .welcome(let welcome) = reply.frames.first?.body else {
                Issue.record("the documented bytes should be welcomed, got \(reply.frames)")
                return
            }
            #expect(!welcome.machineID.isEmpty)
        }
    }

    @Test("a replayed Hello signature is refused")
    func replay() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let identity = Ed25519Identity.generate().identity
            let nonce = try await RawRelayStream.challenge(mesh.endpoint)
            let hello = Self.signedHello(identity, nonce: nonce, joinKey: fleet.joinKey, hostname: "web-9")
            let first = try await RawRelayStream.exchange(mesh.endpoint, [.frame(hello)], until: { !$0.isEmpty })
            guard case .welcome = first.frames.first?.body else {
                Issue.record("the first Hello should be welcomed, got \(first.frames)")
                return
            }
            let second = try await RawRelayStream.exchange(mesh.endpoint, [.frame(hello)])
            guard case .error(let error) = second.frames.first?.body else {
                Issue.record("the replay should be refused, got \(second.frames)")
                return
            }
            #expect(error.code == .unauthenticated)
            #expect(error.message.contains("already used"))
        }
    }

    @Test("a nonce older than its lifetime is refused")
    func staleNonce() async throws {
        try await TestMesh.with(relay: { $0.challengeLifetime = .milliseconds(200) }) { mesh in
            let fleet = try mesh.fleet("ops")
            let identity = Ed25519Identity.generate().identity
            let nonce = try await RawRelayStream.challenge(mesh.endpoint)
            try await Task.sleep(for: .milliseconds(400))
            let hello = Self.signedHello(identity, nonce: nonce, joinKey: fleet.joinKey, hostname: "web-9")
            let reply = try await RawRelayStream.exchange(mesh.endpoint, [.frame(hello)])
            guard case .error(let error) = reply.frames.first?.body else {
                Issue.record("a stale nonce should be refused, got \(reply.frames)")
                return
            }
            #expect(error.code == .unauthenticated)
            #expect(error.message.contains("expired"))
        }
    }

    @Test("a join key cannot enrol an identity in the jarvis role")
    func jarvisNeedsAdmin() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let identity = Ed25519Identity.generate().identity
            let credentials = MachineCredentials(identity: identity, role: .jarvis, fleet: "", hostname: "jarvis",
                                                 joinKey: fleet.joinKey)
            await #expect {
                try await RelayDialer.withLink(to: mesh.endpoint, credentials: .machine(credentials)) { $0.welcome }
            } throws: { ($0 as? MeshError)?.code == .permissionDenied }
            #expect(try mesh.store.machines(fleetID: fleet.id).isEmpty)
        }
    }

    @Test("an unknown join key is refused and nothing is enrolled")
    func unknownJoinKey() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            await #expect {
                try await MachineAgent.enroll(joinKey: "cmdop_enroll_0000", endpoint: mesh.endpoint,
                                              identity: Ed25519Identity.generate().identity, hostname: "web-1")
            } throws: { ($0 as? MeshError)?.code == .unauthenticated }
            #expect(try mesh.store.machines(fleetID: fleet.id).isEmpty)
        }
    }

    @Test("an API key of fleet B can neither list nor reach fleet A's machines")
    func fleetIsolation() async throws {
        try await TestMesh.with { mesh in
            let fleetA = try mesh.fleet("alpha")
            let fleetB = try mesh.fleet("bravo")
            try await mesh.startAgent("alpha-web", fleet: fleetA)
            try await mesh.startAgent("bravo-web", fleet: fleetB)
            let alphaID = try #require(try mesh.store.machine(fleetID: fleetA.id, hostname: "alpha-web")).id
            try await mesh.withClient(fleetB.operatorKey) { (client) async throws in
                #expect(try await client.machines().map(\.hostname) == ["bravo-web"])
                for target in ["alpha-web", "alpha", alphaID, alphaID.uppercased()] {
                    await #expect {
                        try await client.exec(on: target, command: "true")
                    } throws: { ($0 as? MeshError)?.code == .notFound }
                }
            }
        }
    }

    @Test("a key without commands:execute cannot exec; revoked and unknown keys cannot connect")
    func scopesAndRevocation() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            let readOnly = try mesh.store.createAPIKey(fleetID: fleet.id, scopes: [.machinesRead]).key
            try await mesh.withClient(readOnly) { (client) async throws in
                #expect(try await client.machines().count == 1)
                await #expect {
                    try await client.exec(on: "web-1", command: "true")
                } throws: { ($0 as? MeshError)?.code == .permissionDenied }
            }
            _ = try mesh.store.revokeAPIKey(String(readOnly.prefix(14)))
            for key in [readOnly, "cmdop_notakey"] {
                await #expect {
                    try await mesh.withClient(key) { try await $0.machines() }
                } throws: { ($0 as? MeshError)?.code == .unauthenticated }
            }
        }
    }

    @Test("the floor is denied even in bypass mode, and audited")
    func floorInBypass() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let agent = try await mesh.startAgent("web-1", fleet: fleet, permissions: "mode: bypass\n")
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                for command in ["rm -rf /", "cat ~/.ssh/id_ed25519", "echo pwned > ~/.ssh/authorized_keys"] {
                    await #expect {
                        try await client.exec(on: "web-1", command: command)
                    } throws: { ($0 as? MeshError)?.code == .permissionDenied }
                }
                #expect(try await client.exec(on: "web-1", command: "true").exitCode == 0)
            }
            let log = try AuditLog(path: agent.configuration.paths.auditLog).entries()
            let floor = log.filter { $0.decision == "deny" && $0.source == "floor" }
            #expect(floor.count == 3)
            #expect(floor.allSatisfy { $0.user.hasPrefix("operator:cmdop_") && $0.inputDigest.count == 64 })
            #expect(log.last?.decision == "allow")
            #expect(log.last?.exitCode == 0)
        }
    }

    @Test("a deny rule cannot be escaped by chaining commands", arguments: [
        "echo hi; rm -rf TARGET", "true && rm -rf TARGET", "false || rm -rf TARGET", "echo $(rm -rf TARGET)",
        "echo `rm -rf TARGET`", "(rm -rf TARGET)", "bash -c 'rm -rf TARGET'", "echo hi\nrm -rf TARGET",
        "echo hi | rm -rf TARGET", "sudo rm -rf TARGET",
    ])
    func compoundDeny(template: String) async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet,
                                      permissions: "mode: bypass\ndeny:\n  - \"execute_command(rm **)\"\n")
            let target = mesh.directory + "/precious"
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                await #expect {
                    try await client.exec(on: "web-1", command: template.replacingOccurrences(of: "TARGET", with: target))
                } throws: { ($0 as? MeshError)?.code == .permissionDenied }
                #expect(try await client.exec(on: "web-1", command: "echo hi").exitCode == 0)
            }
            #expect(FileManager.default.fileExists(atPath: target))
        }
    }

    static func signedHello(_ identity: Ed25519Identity, nonce: [UInt8], joinKey: String, hostname: String) -> Frame {
        var hello = Cmdop_Agent_V1_Hello()
        hello.role = .agent
        hello.hostname = hostname
        hello.joinKey = joinKey
        hello.publicKey = Data(identity.publicKey)
        hello.nonce = Data(nonce)
        hello.signature = Data(identity.sign(HandshakeTranscript.payload(
            nonce: nonce, fleet: "", hostname: hostname, role: "agent", publicKey: identity.publicKey)))
        return .with(.hello(hello))
    }
}

@Suite("Key revocation", .timeLimit(.minutes(1)))
struct RevocationTests {
    @Test("revoking a key closes the streams already using it")
    func revokeClosesStreams() async throws {
        try await TestMesh.with(heartbeat: .milliseconds(200)) { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            await #expect {
                try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                    // The stream works (asked of the relay: with a 200 ms heartbeat a loaded machine can
                    // mark the agent offline for a moment, which is not what this test is about).
                    #expect(try await client.machines().map(\.hostname) == ["web-1"])
                    _ = try mesh.store.revokeAPIKey(String(fleet.operatorKey.prefix(14)))
                    // Ask the relay itself (not the agent, whose presence does not matter here) until
                    // the stream is closed; the sweep runs once per heartbeat interval.
                    let deadline = ContinuousClock.now + .seconds(40)  // a hang catcher only
                    while ContinuousClock.now < deadline {
                        _ = try await client.machines()
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    return "the stream stayed open"
                }
            } throws: { ($0 as? MeshError)?.code == .unauthenticated }
        }
    }
}
