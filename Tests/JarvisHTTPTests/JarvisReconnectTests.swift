import CmdopCurl
import CmdopIdentity
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import JarvisDaemon
import JarvisTriggers
import Logging
import Synchronization
import Testing

/// A real jarvis process (`JarvisProcess`, as `cmdop jarvis` runs it) whose relay goes away and comes back.
@Suite("jarvis keeps taking webhooks while it re-connects to its relay", .timeLimit(.minutes(2)))
struct JarvisReconnectTests {
    static let secretVariable = "CMDOP_TEST_RECONNECT_SECRET"

    @Test("a delivery during the gap is answered 202 and runs once the relay is back; the rest of the API answers 503 meanwhile")
    func webhooksDuringReconnect() async throws {
        setenv(Self.secretVariable, AutomationTests.secret, 1)
        let home = FileManager.default.temporaryDirectory.path + "/cmdop-reconnect-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let root = try AutomationTests.definitions([
            "Webhooks/ci-failed.yaml": AutomationTests.hook.replacingOccurrences(of: "TEST_GITHUB_SECRET", with: Self.secretVariable),
        ])
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let (identity, _) = try IdentityFile.loadOrCreate(at: home + "/jarvis_keypair.bin")
                    _ = try mesh.store.registerJarvis(fleetID: fleet.id, hostname: "jarvis", publicKey: identity.publicKey)
                    server.setDefault(ScriptedModel.answer("Checked."), for: ScriptedModel.path)
                    var logger = Logger(label: "cmdop.test.jarvis")
                    logger.logLevel = .critical
                    let jarvis = JarvisProcess(
                        configuration: JarvisConfiguration(endpoint: mesh.endpoint, fleet: fleet.name, home: home, httpPort: 0,
                                                           definitionsDirectory: root),
                        provider: ScriptedModel.provider(server, transport: curl), logger: logger)
                    let ready = Mutex<[Int]>([])
                    let process = Task { try await jarvis.run { port in ready.withLock { $0.append(port) } } }
                    defer { process.cancel() }
                    try await mesh.waitUntil("jarvis serves its API") { !ready.withLock { $0 }.isEmpty }
                    let base = "http://127.0.0.1:\(ready.withLock { $0[0] })"
                    // GitHub deliveries are the same one when their bodies are: each post gets its own (trailing spaces).
                    func post(_ delivery: String, padding: Int) async throws -> (Int, JSONValue) {
                        let body = AutomationTests.payload + Array(repeating: UInt8(ascii: " "), count: padding)
                        let response = try await curl.fetch(HTTPRequest(method: "POST", url: base + "/hooks/ci-failed",
                                                                        headers: AutomationTests.githubHeaders(body, delivery: delivery), body: body))
                        return (response.status, (try? JSONValue(parsingBytes: response.body)) ?? .null)
                    }
                    func get(_ path: String) async throws -> (Int, String) {
                        let response = try await curl.fetch(HTTPRequest(method: "GET", url: base + path, headers: [], body: []))
                        return (response.status, String(decoding: response.body, as: UTF8.self))
                    }
                    #expect(try await post("before", padding: 0).0 == 202)
                    let store = try DeliveryStore(path: home + "/deliveries.db")
                    // Finished before the relay goes: a run cut off by it would resume and ask the model again.
                    try await mesh.waitUntil("the first delivery ran") {
                        try store.deliveries(hook: "ci-failed").first?.state == .finished
                    }

                    await mesh.stopRelay()
                    // Until the connection's API is gone (its own /healthz answers 503 as soon as the relay does not answer).
                    try await mesh.waitUntil("jarvis serves only webhooks", timeout: .seconds(20)) {
                        try await get("/healthz").1.contains("re-connecting")
                    }
                    let during = try await post("during", padding: 1)
                    #expect(during.0 == 202 && during.1["status"]?.stringValue == "accepted", "\(during)")
                    let runs = try await get("/v1/runs")
                    #expect(runs.0 == 503 && runs.1.contains("webhooks are still accepted"), "\(runs)")

                    try await mesh.startRelay()
                    try await mesh.waitUntil("jarvis is back on the relay", timeout: .seconds(30)) { ready.withLock { $0.count } >= 2 }
                    #expect(Set(ready.withLock { $0 }).count == 1)  // one listener, one port
                    try await mesh.waitUntil("both deliveries ran", timeout: .seconds(20)) {
                        try store.deliveries(hook: "ci-failed").filter { $0.state == .finished }.count == 2
                    }
                    #expect(try store.deliveries(hook: "ci-failed").map(\.outcome) == [.succeeded, .succeeded])
                    #expect(server.requests.count == 2)
                    process.cancel()
                    _ = await process.result
                }
            }
        }
    }
}
