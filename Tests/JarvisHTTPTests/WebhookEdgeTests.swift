import CmdopCurl
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import Testing

/// What a sender sees at the edges: a hook whose secret is not set, and bodies over the limit sent
/// the way urllib sends them (`Connection: close`, the whole body written before the answer is read).
@Suite("webhook edges: disabled hooks and oversized bodies", .timeLimit(.minutes(1)))
struct WebhookEdgeTests {
    static let small = AutomationTests.hook + "\nmax_body: 1024\n"
    static let unset = AutomationTests.hook.replacingOccurrences(of: "TEST_GITHUB_SECRET", with: "UNSET_HOOK_SECRET")

    func withJarvis(_ body: @escaping @Sendable (JarvisHarness, TestMesh.Fleet) async throws -> Void) async throws {
        let root = try AutomationTests.definitions(["Webhooks/small.yaml": Self.small, "Webhooks/off.yaml": Self.unset])
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: strict\n",
                                                 provider: ScriptedModel.provider(server, transport: curl), curl: curl,
                                                 definitions: root, environment: ["TEST_GITHUB_SECRET": AutomationTests.secret]) { jarvis in
                        try await body(jarvis, fleet)
                    }
                }
            }
        }
    }

    @Test("a hook whose secret is not set is listed disabled with the reason, and its route answers 503 with it")
    func disabledHook() async throws {
        try await withJarvis { jarvis, fleet in
            let body = AutomationTests.payload
            let response = try await jarvis.curl.fetch(HTTPRequest(method: "POST", url: jarvis.baseURL + "/hooks/off",
                                                                   headers: AutomationTests.githubHeaders(body, delivery: "d-1"), body: body))
            #expect(response.status == 503)
            // The sender learns only that it is off; the operator's list says why.
            let error = try JSONValue(parsingBytes: response.body)["error"]?.stringValue ?? ""
            #expect(error.contains("webhook 'off' is disabled") && !error.contains("UNSET_HOOK_SECRET"), "\(error)")
            let listed = try await jarvis.call("GET", "/v1/webhooks", key: fleet.operatorKey)
            let hooks = listed.body["webhooks"]?.arrayValue ?? []
            let off = try #require(hooks.first { $0["name"]?.stringValue == "off" })
            #expect(off["enabled"] == .bool(false))
            #expect(off["disabled_reason"]?.stringValue?.contains("UNSET_HOOK_SECRET is not set") == true)
            #expect(off["disabled_reason"]?.stringValue?.contains("restart") == true)
            #expect(hooks.first { $0["name"]?.stringValue == "small" }?["enabled"] == .bool(true))
            #expect(listed.body["errors"]?.arrayValue?.isEmpty == true)
            #expect(try jarvis.automation?.intake.store.deliveries(hook: "off").isEmpty == true)
        }
    }

    @Test("a body over max_body, written whole before the answer is read, gets a 413 (webhook and API)")
    func oversizedBodyWrittenWhole() async throws {
        try await withJarvis { jarvis, fleet in
            let port = try #require(Int(jarvis.baseURL.split(separator: ":").last ?? ""))
            // 48 MiB: more than loopback's socket buffers hold (4 MiB to send, up to 32 MiB to receive
            // on this kind of machine: net.ipv4.tcp_wmem/tcp_rmem), so a server that stops reading
            // leaves the sender blocked in write. (On a host tuned for larger buffers this would pass
            // without the drain.)
            let big = [UInt8](repeating: 0x61, count: 48 << 20)
            let hook = try await BlockingHTTPClient.post(port: port, path: "/hooks/small", body: big)
            #expect(hook.status == 413 && hook.body.contains("1024 bytes"), "\(hook)")
            let api = try await BlockingHTTPClient.post(port: port, path: "/v1/sessions", body: big,
                                                        headers: ["Authorization": "Bearer \(fleet.operatorKey)"])
            #expect(api.status == 413, "\(api)")
            // A disabled hook and an unknown one drain too, before their 503 and 404.
            let off = try await BlockingHTTPClient.post(port: port, path: "/hooks/off", body: big)
            #expect(off.status == 503, "\(off)")
            let unknown = try await BlockingHTTPClient.post(port: port, path: "/hooks/nope", body: big)
            #expect(unknown.status == 404, "\(unknown)")
            #expect(try jarvis.automation?.intake.store.deliveries(hook: "small").isEmpty == true)
        }
    }
}
