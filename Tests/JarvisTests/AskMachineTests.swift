import CmdopAgent
import CmdopCore
import CmdopCurl
import CmdopMesh
import CmdopPermissions
import CmdopProtocol
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import JarvisCore
import JarvisTools
import Testing

@Suite("jarvis: ask_machine, ask_machine_stream and ask_machines over a real relay", .timeLimit(.minutes(1)))
struct AskMachineTests {
    static let bypass = JarvisGate(policy: try! PermissionPolicy(yaml: "mode: bypass\n", source: "test"))

    @Test("ask_machine: the agent's own loop runs a local tool, and its model calls travel through jarvis")
    func askMachineRemoteLoop() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    // jarvis's turn, then the remote loop's two turns (served by jarvis), then jarvis's answer.
                    server.enqueue(ScriptedModel.toolCalls([("call_1", "ask_machine", #"{"hostname":"web","prompt":"Which kernel marker do you have?"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.toolCalls([("r_1", "execute_command", #"{"command":"echo marker-$((6*7))"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("My marker is marker-42."), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("web-1 reports marker-42."), for: ScriptedModel.path)
                    let provider = ScriptedModel.provider(server, transport: curl)
                    let grants = ModelGrants()
                    let modelServer = ModelServer(provider: provider, grants: grants)
                    let result = try await mesh.withJarvis(fleet, serving: modelServer.handle) { client in
                        let loop = AgentLoop(provider: provider, tools: FleetTools.all(client: client, gate: Self.bypass, grants: grants))
                        return await loop.run(system: "You run the fleet.", messages: [.user("What marker does web-1 have?")])
                    }
                    #expect(result.stop == .answered && result.answer == "web-1 reports marker-42.")
                    let requests = server.requests.map(\.bodyText)
                    #expect(requests.count == 4)
                    // The remote loop's second call carried its local command's output: it ran on web-1.
                    #expect(requests[2].contains("marker-42") && requests[2].contains("execute_command"))
                    #expect(requests[1].contains("cmdop agent on the machine web-1"))
                    // jarvis's second call carried the machine's reply and the tools it used.
                    let toolResult = try #require(result.messages.first { $0.toolCallID == "call_1" })
                    let reply = try JSONValue(parsing: toolResult.content)
                    #expect(reply["hostname"]?.stringValue == "web-1")
                    #expect(reply["reply"]?.stringValue == "My marker is marker-42.")
                    #expect(reply["tool_calls"] == ["execute_command"])
                    // The spend of the remote loop is counted for web-1.
                    #expect(grants.spendByMachine["web-1"]?.calls == 2)
                    // The machine audited the command as asked by jarvis.
                    let audit = try String(contentsOfFile: mesh.paths(of: "web-1").auditLog, encoding: .utf8)
                    #expect(audit.contains(#""user":"jarvis:jarvis (ask)""#) && audit.contains("execute_command"))
                }
            }
        }
    }

    @Test("ask_machines over three agents with one offline: two replies and one machine_offline entry, in order")
    func askMachinesWithOneOffline() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    try await mesh.startAgent("db-1", fleet: fleet)
                    try await mesh.startAgent("web-2", fleet: fleet)
                    await mesh.stopAgent("db-1")
                    server.enqueue(ScriptedModel.toolCalls([("call_1", "ask_machines", #"{"hostnames":["web-1","db-1","web-2","web-1"],"prompt":"Are you healthy?"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("healthy"), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("healthy"), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("Two are healthy; db-1 is offline."), for: ScriptedModel.path)
                    let provider = ScriptedModel.provider(server, transport: curl)
                    let grants = ModelGrants()
                    let result = try await mesh.withJarvis(fleet, serving: ModelServer(provider: provider, grants: grants).handle) { client in
                        try await mesh.waitUntil("db-1 offline") { try await !client.machines().contains { $0.hostname == "db-1" && $0.online } }
                        let loop = AgentLoop(provider: provider, tools: FleetTools.all(client: client, gate: Self.bypass, grants: grants))
                        return await loop.run(system: "You run the fleet.", messages: [.user("Who is healthy?")])
                    }
                    #expect(result.answer == "Two are healthy; db-1 is offline.")
                    let toolResult = try #require(result.messages.first { $0.toolCallID == "call_1" })
                    let entries = try #require(JSONValue(parsing: toolResult.content)["results"]?.arrayValue)
                    #expect(entries.map { $0["hostname"]?.stringValue ?? "" } == ["web-1", "db-1", "web-2"])
                    #expect(entries[0]["ok"] == true && entries[0]["reply"]?.stringValue == "healthy")
                    #expect(entries[2]["ok"] == true && entries[2]["reply"]?.stringValue == "healthy")
                    #expect(entries[1]["ok"] == false && entries[1]["error"]?["code"]?.stringValue == "machine_offline")
                    #expect(!toolResult.isError)
                    #expect(grants.spendByMachine["web-1"]?.calls == 1 && grants.spendByMachine["web-2"]?.calls == 1)
                }
            }
        }
    }

    @Test("ask_machine_stream passes the remote tokens and tool activity on while the machine works")
    func askMachineStream() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("call_1", "ask_machine_stream", #"{"hostname":"web-1","prompt":"uptime?"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.toolCalls([("r_1", "execute_command", #"{"command":"echo up-$((40+2))"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("Up for a while."), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("done"), for: ScriptedModel.path)
                    let provider = ScriptedModel.provider(server, transport: curl)
                    let grants = ModelGrants()
                    let progress = Locked<[String]>([])
                    _ = try await mesh.withJarvis(fleet, serving: ModelServer(provider: provider, grants: grants).handle) { client in
                        let loop = AgentLoop(provider: provider, tools: FleetTools.all(client: client, gate: Self.bypass, grants: grants))
                        return await loop.run(system: "s", messages: [.user("u")]) { event in
                            if case .toolProgress(let call, let text) = event, call.id == "call_1" {
                                progress.withLock { $0.append(text) }
                            }
                        }
                    }
                    let text = progress.value.joined()
                    #expect(text.contains("[web-1 → execute_command"))
                    #expect(text.contains("[web-1 ← execute_command]"))
                    #expect(text.contains("Up for a while."))
                }
            }
        }
    }

    @Test("jarvis's gate decides ask_machine per host before anything reaches the machine")
    func gateOnAsk() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("prod-1", fleet: fleet)
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("call_1", "ask_machines", #"{"hostnames":["prod-1","web-1"],"prompt":"hi"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("hello from web"), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("ok"), for: ScriptedModel.path)
                    let provider = ScriptedModel.provider(server, transport: curl)
                    let policy = try PermissionPolicy(yaml: "mode: bypass\ndeny: [\"ask_machine(prod-*)\"]\n", source: "jarvis.yaml")
                    let grants = ModelGrants()
                    let result = try await mesh.withJarvis(fleet, serving: ModelServer(provider: provider, grants: grants).handle) { client in
                        let loop = AgentLoop(provider: provider, tools: FleetTools.all(client: client, gate: JarvisGate(policy: policy), grants: grants))
                        return await loop.run(system: "s", messages: [.user("u")])
                    }
                    let toolResult = try #require(result.messages.first { $0.toolCallID == "call_1" })
                    let entries = try #require(JSONValue(parsing: toolResult.content)["results"]?.arrayValue)
                    #expect(entries[0]["ok"] == false && entries[0]["error"]?["code"]?.stringValue == "permission_denied")
                    #expect(entries[1]["reply"]?.stringValue == "hello from web")
                    #expect(grants.spendByMachine["prod-1"] == nil)
                    let audit = try String(contentsOfFile: mesh.paths(of: "prod-1").auditLog, encoding: .utf8)
                    #expect(!audit.contains("(ask)"))
                }
            }
        }
    }

    @Test("jarvis's gate holds inside an ask: a refused remote tool call never reaches the machine, and jarvis bounds the spend")
    func gateInsideAsk() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await mesh.startAgent("web-1", fleet: fleet)
                    let marker = mesh.directory + "/must-survive"
                    try "x".write(toFile: marker, atomically: true, encoding: .utf8)
                    // The remote loop is told to delete a file (jarvis denies it).
                    server.enqueue(ScriptedModel.toolCalls([("r_1", "execute_command", "{\"command\":\"rm -f \(marker)\"}")]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("remote done"), for: ScriptedModel.path)
                    let provider = ScriptedModel.provider(server, transport: curl)
                    let policy = try PermissionPolicy(yaml: "mode: bypass\ndeny: [\"run_command(*:rm **)\"]\n", source: "jarvis.yaml")
                    let grants = ModelGrants()
                    let result = try await mesh.withJarvis(fleet, serving: ModelServer(provider: provider, grants: grants).handle) { client in
                        let tool = FleetTools.all(client: client, gate: JarvisGate(policy: policy), grants: grants)
                            .first { $0.definition.name == "ask_machine" }!
                        return await tool.run(["hostname": "web-1", "prompt": "clean up"], context: .detached)
                    }
                    #expect(FileManager.default.fileExists(atPath: marker))
                    let reply = try JSONValue(parsing: result.content)
                    #expect(reply["reply"]?.stringValue?.contains("jarvis refused execute_command") == true, "\(result.content)")
                    #expect(reply["tool_calls"] == [])
                    let audit = (try? String(contentsOfFile: mesh.paths(of: "web-1").auditLog, encoding: .utf8)) ?? ""
                    #expect(!audit.contains("must-survive"))
                    // The machine's model call was capped by jarvis.
                    let remoteCall = server.requests[0].bodyText
                    #expect(remoteCall.contains("4096"), "\(remoteCall)")
                }
            }
        }
    }

    @Test("model calls are served only under a live grant issued to the calling machine")
    func grantsAreBound() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                server.setDefault(ScriptedModel.answer("served"), for: ScriptedModel.path)
                let grants = ModelGrants()
                let modelServer = ModelServer(provider: ScriptedModel.provider(server, transport: curl), grants: grants)
                let grant = grants.issue(hostname: "web-1", maxCalls: 1, lifetime: .seconds(30))
                func call(_ origin: String, _ grant: String) async -> [Frame] {
                    var model = Cmdop_Agent_V1_ModelRequest()
                    model.grant = grant
                    model.requestJson = ModelCallCodec.encode(ChatRequest(messages: [.user("hi")]))
                    var request = Cmdop_Agent_V1_Request()
                    request.requestID = "q1"
                    request.origin = origin
                    request.operation = .model(model)
                    let frames = Locked<[Frame]>([])
                    await modelServer.handle(request) { frame in frames.withLock { $0.append(frame) } }
                    return frames.value
                }
                func errorCode(_ frames: [Frame]) -> String? {
                    if case .error(let error) = frames.last?.body { return error.meshError.code.name }
                    return nil
                }
                #expect(errorCode(await call("machine:web-2", grant)) == "permission_denied")
                #expect(errorCode(await call("operator:cmdop_ab", grant)) == "permission_denied")
                #expect(errorCode(await call("machine:web-1", "mg_forged")) == "permission_denied")
                let served = await call("machine:web-1", grant)
                guard case .done = served.last?.body else {
                    Issue.record("the granted call was not served: \(served)")
                    return
                }
                #expect(errorCode(await call("machine:web-1", grant)) == "permission_denied")  // spent
                grants.revoke(grant)
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test("an operator cannot send model calls, and an ask from an operator is refused by the agent")
    func operatorsCannotRouteModels() async throws {
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            try await mesh.withClient(fleet.operatorKey) { client in
                var model = Cmdop_Agent_V1_ModelRequest()
                model.grant = "mg_x"
                await #expect(throws: MeshError.self) { _ = try await client.send(target: "web-1", .model(model)).outcome() }
                var ask = Cmdop_Agent_V1_AskRequest()
                ask.prompt = "hi"
                ask.modelGrant = "mg_x"
                do {
                    _ = try await client.send(target: "web-1", .ask(ask)).outcome(deadline: .seconds(30))
                    Issue.record("an operator's ask was served")
                } catch let error as MeshError {
                    #expect(error.code == .invalidArgument && error.message.contains("jarvis"))
                }
            }
        }
    }
}
