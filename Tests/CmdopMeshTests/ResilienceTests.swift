import CmdopAgent
import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopProtocol
@testable import CmdopRelay
import CmdopTesting
import Foundation
import Testing

@Suite("Faults: offline machines, bad frames, restarts", .timeLimit(.minutes(1)))
struct ResilienceTests {
    @Test("a request to an offline machine fails at once with machine_offline, not a timeout")
    func offlineFailsFast() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            await mesh.stopAgent("web-1")
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                try await mesh.waitUntil("web-1 offline") {
                    try await client.machines().first?.online == false
                }
                // The call's own timeout is 10 minutes: only an answer that does not wait for it passes
                // within the suite's time limit, and its code says why it failed.
                await #expect {
                    try await client.exec(on: "web-1", command: "true", timeoutMs: 600_000)
                } throws: { ($0 as? MeshError)?.code == .machineOffline }
            }
        }
    }

    @Test("an ambiguous name lists the candidates; a one-character prefix is rejected")
    func ambiguous() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            try await mesh.startAgent("web-2", fleet: fleet)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                await #expect {
                    try await client.exec(on: "web", command: "true")
                } throws: { error in
                    let mesh = error as? MeshError
                    return mesh?.code == .ambiguous && mesh?.candidates == ["web-1", "web-2"]
                }
                await #expect {
                    try await client.exec(on: "w", command: "true")
                } throws: { ($0 as? MeshError)?.code == .invalidArgument }
                #expect(try await client.ping("web-2") == "web-2")
            }
        }
    }

    @Test("a malformed frame ends only that stream; the relay keeps serving the others")
    func malformedFrame() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                let garbage: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x12, 0x99]
                let reply = try await RawRelayStream.exchange(mesh.endpoint, [.bytes(garbage)])
                #expect(reply.error != nil || reply.frames.contains { if case .error = $0.body { true } else { false } })
                #expect(try await client.ping("web-1") == "web-1")
            }
        }
    }

    @Test("an oversized frame ends only that stream; the relay keeps serving the others")
    func oversizedFrame() async throws {
        try await TestMesh.with(relay: { $0.maxFrameBytes = 64 << 10 }) { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                var hello = Cmdop_Agent_V1_Hello()
                hello.role = .operator
                hello.apiKey = String(repeating: "x", count: 200 << 10)
                let reply = try await RawRelayStream.exchange(mesh.endpoint, [.frame(.with(.hello(hello)))])
                #expect(reply.frames.isEmpty)
                #expect(reply.error != nil)
                #expect(try await client.ping("web-1") == "web-1")
            }
        }
    }

    @Test("a stream that opens with something other than a Hello is refused")
    func noHello() async throws {
        try await TestMesh.with { mesh in
            let reply = try await RawRelayStream.exchange(mesh.endpoint, [.frame(.heartbeat())])
            guard case .error(let error) = reply.frames.first?.body else {
                Issue.record("expected an error frame, got \(reply.frames)")
                return
            }
            #expect(error.code == .protocol)
        }
    }

    @Test("a stream that never sends its Hello is closed by the relay after the Hello timeout")
    func helloTimeout() async throws {
        try await TestMesh.with(relay: { $0.helloTimeout = .milliseconds(200) }) { mesh in
            let reply = try await RawRelayStream.exchange(mesh.endpoint, [])
            guard case .error(let error) = reply.frames.first?.body else {
                Issue.record("expected an error frame, got \(reply.frames)")
                return
            }
            #expect(error.code == .protocol && error.message.contains("no Hello"))
            // The relay closed it; it did not just go quiet until the reader's hang limit.
            #expect(reply.closedByRelay)
        }
    }

    @Test("a stopping relay ends each open stream with the reason, and still returns")
    func shutdownTellsStreams() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            var hello = Cmdop_Agent_V1_Hello()
            hello.role = .operator
            hello.apiKey = fleet.operatorKey
            let (welcomed, signal) = AsyncStream<Void>.makeStream()
            let reading = Task {
                defer { signal.finish() }  // a stream that failed early must not leave the test waiting
                return try await RawRelayStream.exchange(mesh.endpoint, [.frame(.with(.hello(hello)))], until: { frames in
                    if frames.count == 1 { signal.yield() }
                    return false  // read on until the relay ends the stream
                })
            }
            for await _ in welcomed { break }
            await mesh.stopRelay()
            let reply = try await reading.value
            guard case .welcome = reply.frames.first?.body, case .error(let error) = reply.frames.last?.body else {
                Issue.record("expected a Welcome, then an error, got \(reply.frames)")
                return
            }
            #expect(error.code == .unavailable && error.message.contains("shutting down"))
            #expect(reply.closedByRelay)
        }
    }

    @Test("after a relay restart every agent is back and reachable without a human")
    func relayRestart() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let agents = [try await mesh.startAgent("web-1", fleet: fleet), try await mesh.startAgent("web-2", fleet: fleet)]
            await mesh.stopRelay()
            try await mesh.waitUntil("agents to notice") { agents.allSatisfy { !$0.isConnected } }
            try await mesh.startRelay()
            try await mesh.waitUntil("agents to re-connect", timeout: .seconds(15)) { agents.allSatisfy(\.isConnected) }
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                #expect(try await client.machines().allSatisfy(\.online))
                #expect(try await client.exec(on: "web-1", command: "true").exitCode == 0)
                #expect(try await client.exec(on: "web-2", command: "true").exitCode == 0)
            }
        }
    }

    @Test("after a relay restart, machines that have not come back are listed offline, not forgotten")
    func restartRemembersOffline() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let online = try await mesh.startAgent("db-1", fleet: fleet)
            try await mesh.startAgent("db-2", fleet: fleet)
            await mesh.stopAgent("db-2")
            await mesh.stopRelay()
            try await mesh.startRelay()
            try await mesh.waitUntil("db-1 to re-connect", timeout: .seconds(15)) { online.isConnected }
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                let machines = try await client.machines()
                #expect(machines.map(\.hostname) == ["db-1", "db-2"])
                #expect(machines.map(\.online) == [true, false])
                await #expect {
                    try await client.exec(on: "db-2", command: "true")
                } throws: { ($0 as? MeshError)?.code == .machineOffline }
                await #expect {
                    try await client.exec(on: "db", command: "true")
                } throws: { ($0 as? MeshError)?.code == .ambiguous }
            }
        }
    }

    @Test("an agent that dies mid-command gives the caller a typed error, not a hang")
    func agentDiesMidCommand() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                let started = Locked(false)
                let outcome = Task {
                    try await client.exec(on: "web-1", command: "echo started; sleep 30") { _ in
                        started.withLock { $0 = true }
                    }
                }
                try await mesh.waitUntil("the command to start") { started.value }
                await mesh.stopAgent("web-1")
                // Not `timeout`: the caller hears of the dropped stream, it does not wait out the call.
                await #expect {
                    try await outcome.value
                } throws: { ($0 as? MeshError)?.code == .machineOffline }
            }
        }
    }

    @Test("a machine that stops sending heartbeats is marked offline after three missed")
    func missedHeartbeats() async throws {
        try await TestMesh.with(heartbeat: .milliseconds(200)) { mesh in
            let fleet = try mesh.fleet("ops")
            let identity = Ed25519Identity.generate().identity
            let nonce = try await RawRelayStream.challenge(mesh.endpoint)
            let hello = SecurityTests.signedHello(identity, nonce: nonce, joinKey: fleet.joinKey, hostname: "silent")
            let started = ContinuousClock.now
            // The raw stream sends its Hello and then nothing at all.
            let reply = try await RawRelayStream.exchange(mesh.endpoint, [.frame(hello)])
            let elapsed = ContinuousClock.now - started
            guard case .welcome = reply.frames.first?.body else {
                Issue.record("expected a Welcome, got \(reply.frames)")
                return
            }
            // Not before three intervals were missed (a lower bound a busy machine cannot break), and
            // closed by the relay rather than by the reader's hang limit.
            #expect(elapsed >= .milliseconds(600))
            #expect(reply.closedByRelay)
            try await mesh.withClient(fleet.operatorKey) { (client) async throws in
                #expect(try await client.machines().first { $0.hostname == "silent" }?.online == false)
            }
        }
    }

    @Test("an agent re-connects within the continuity window without a new challenge")
    func continuity() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            let identity = Ed25519Identity.generate().identity
            _ = try await MachineAgent.enroll(joinKey: fleet.joinKey, endpoint: mesh.endpoint, identity: identity,
                                              hostname: "web-1")
            let credentials = MachineCredentials(identity: identity, fleet: "ops", hostname: "web-1")
            let token = try await RelayDialer.withLink(to: mesh.endpoint, credentials: .machine(credentials)) {
                $0.welcome.continuityToken
            }
            #expect(token.count == 64)
            var resume = credentials
            resume.continuityToken = token
            let again = try await RelayDialer.withLink(to: mesh.endpoint, credentials: .machine(resume)) { $0.welcome }
            #expect(again.machineID.count == 36)
            // Single use: the same token is refused the second time.
            await #expect {
                try await RelayDialer.withLink(to: mesh.endpoint, credentials: .machine(resume)) { $0.welcome }
            } throws: { ($0 as? MeshError)?.code == .unauthenticated }
        }
    }
}

@Suite("Outbound queue")
struct OutboundQueueTests {
    @Test("frames past the byte limit end the stream with an error; written frames free their room")
    func limit() async {
        let queue = OutboundQueue(limit: 100_000)
        var chunk = Cmdop_Agent_V1_OutputChunk()
        chunk.data = Data(count: 40_000)
        var event = Cmdop_Agent_V1_Event()
        event.payload = .output(chunk)
        let frame = Frame.with(.event(event))
        #expect(queue.yield(frame))
        #expect(queue.yield(frame))
        queue.written(frame)
        #expect(queue.yield(frame))
        #expect(!queue.yield(frame))
        var received: [Frame] = []
        for await frame in queue.frames { received.append(frame) }
        #expect(received.count == 4)
        guard case .error(let error) = received.last?.body else {
            Issue.record("the stream should end with an error")
            return
        }
        #expect(error.message.contains("fell more than"))
    }
}
