import CmdopCurl
import CmdopMesh
import CmdopPermissions
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import Hummingbird
import JarvisApprovals
import JarvisAudit
import JarvisAutomation
import JarvisCore
import JarvisHTTP
import JarvisRuntime
import JarvisSessions
import JarvisTools
import Logging

/// A real jarvis for HTTP tests: its own identity on a real relay, serving its asks' model calls,
/// its stores in a temp folder, and the HTTP API on a free loopback port.
struct JarvisHarness: Sendable {
    let service: JarvisService
    let automation: Automation?
    let baseURL: String
    let curl: CurlHTTPTransport

    static func with<Result: Sendable>(
        mesh: TestMesh, fleet: TestMesh.Fleet, policy: String, server: FakeLLMServer, curl: CurlHTTPTransport,
        _ body: @escaping @Sendable (JarvisHarness) async throws -> Result
    ) async throws -> Result {
        try await with(mesh: mesh, fleet: fleet, policy: policy, provider: ScriptedModel.provider(server, transport: curl),
                       curl: curl, body)
    }

    static func with<Result: Sendable>(
        mesh: TestMesh, fleet: TestMesh.Fleet, policy: String, provider: any LLMProvider, curl: CurlHTTPTransport,
        budget: RunBudget = RunBudget(), state: String? = nil, definitions: String? = nil,
        environment: [String: String] = [:], runAutomation: Bool = true,
        _ body: @escaping @Sendable (JarvisHarness) async throws -> Result
    ) async throws -> Result {
        // `state` keeps jarvis's files across two harnesses (a restart); otherwise a fresh folder.
        let folder = state ?? FileManager.default.temporaryDirectory.path + "/cmdop-http-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if state == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let grants = ModelGrants()
        return try await mesh.withJarvis(fleet, serving: ModelServer(provider: provider, grants: grants).handle) { client in
            let service = JarvisService(
                settings: JarvisSettings(fleetID: fleet.id, fleetName: fleet.name,
                                         systemPrompt: try SystemPrompt(template: "You run {{fleet}}.", source: "test"),
                                         policy: try PermissionPolicy(yaml: policy, source: "jarvis.yaml"), budget: budget,
                                         approvalTimeout: 60),
                provider: provider, client: client,
                sessions: try SessionStore(path: folder + "/sessions.db"), audit: try AuditChain(path: folder + "/audit.db"),
                journal: try RunJournal(path: folder + "/journal.db"), approvals: try ApprovalStore(path: folder + "/approvals.db"),
                grants: grants)
            _ = try service.resumeOpenRuns()
            let automation = try definitions.map { root in
                try Automation(configuration: AutomationConfiguration(
                    triggersDirectory: root + "/Triggers", webhooksDirectory: root + "/Webhooks", promptsDirectory: root + "/Prompts",
                    stateDirectory: folder, reloadInterval: .milliseconds(100), environment: environment),
                    service: service, logger: Logger(label: "cmdop.test.automation"))
            }
            let automationTask = Task { if runAutomation { try await automation?.run() } }
            defer { automationTask.cancel() }
            let router = Router()
            JarvisAPI(service: service, client: client, automation: automation, keepAlive: .milliseconds(200),
                      keyCacheLifetime: .milliseconds(300)).register(on: router)
            let http = JarvisHTTPServer()
            var logger = Logger(label: "cmdop.test.http")
            logger.logLevel = .critical
            let port = try await http.start(router: router, host: "127.0.0.1", port: 0, logger: logger)
            defer { Task { await http.stop() } }
            let result = try await body(JarvisHarness(service: service, automation: automation, baseURL: "http://127.0.0.1:\(port)", curl: curl))
            automationTask.cancel()
            _ = try? await automationTask.value
            await service.stop()
            await http.stop()
            return result
        }
    }

    /// One request; the body parsed as JSON (null when empty or not JSON).
    func call(_ method: String, _ path: String, key: String?, json: String? = nil,
              headers extra: [(name: String, value: String)] = []) async throws -> (status: Int, body: JSONValue) {
        var headers: [(name: String, value: String)] = extra
        if let key { headers.append(("Authorization", "Bearer \(key)")) }
        if json != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await curl.fetch(CmdopProviders.HTTPRequest(method: method, url: baseURL + path, headers: headers,
                                                        body: Array((json ?? "").utf8)))
        return (response.status, (try? JSONValue(parsingBytes: response.body)) ?? .null)
    }

    /// Reads server-sent events from `path` until `until` says stop; returns (id, event, data) triples.
    func events(_ path: String, key: String, lastEventID: String? = nil,
                until: @escaping @Sendable ([(id: Int64, kind: String, data: JSONValue)]) -> Bool) async throws
        -> [(id: Int64, kind: String, data: JSONValue)]
    {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(key)"), ("Accept", "text/event-stream")]
        if let lastEventID { headers.append(("Last-Event-ID", lastEventID)) }
        let response = try await curl.send(CmdopProviders.HTTPRequest(method: "GET", url: baseURL + path, headers: headers))
        var buffer = ""
        var events: [(id: Int64, kind: String, data: JSONValue)] = []
        for try await chunk in response.body {
            buffer += String(decoding: chunk, as: UTF8.self)
            while let end = buffer.range(of: "\n\n") {
                let block = String(buffer[..<end.lowerBound])
                buffer.removeSubrange(..<end.upperBound)
                var id: Int64?, kind = "", data = ""
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { kind = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
                }
                if let id { events.append((id, kind, (try? JSONValue(parsing: data)) ?? .null)) }
                if until(events) { return events }
            }
        }
        return events
    }
}
