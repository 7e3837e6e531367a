import CmdopCurl
import CmdopIdentity
import CmdopProviders
import CmdopProvidersTesting
import JarvisTools
import Testing

@Suite("Signed outbound notifications", .timeLimit(.minutes(1)))
struct SignedNotifierTests {
    static let path = "/hooks/oncall"

    @Test("events are POSTed as {id,type,timestamp,data} with an HMAC-SHA256 signature of the raw body")
    func signed() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                server.setDefault(.json("{}"), for: Self.path)
                let notifier = SignedNotifier(url: server.baseURL + Self.path, secret: "s3cret", transport: curl)
                #expect(await notifier.send(type: "approval.requested", data: ["approval_id": "a-1"]))
                let request = try #require(server.requests.first)
                #expect(request.method == "POST")
                let expected = "sha256=" + Crypto.hex(Crypto.hmacSHA256(key: Array("s3cret".utf8), message: request.body))
                #expect(request.header("x-cmdop-signature") == expected)
                let body = try JSONValue(parsingBytes: request.body)
                #expect(body["type"]?.stringValue == "approval.requested")
                #expect(body["data"]?["approval_id"]?.stringValue == "a-1")
                #expect(body["id"]?.stringValue?.count == 36 && body["timestamp"]?.stringValue != nil)
            }
        }
    }

    @Test("a failing receiver is retried with back-off; one that never recovers gets up to four attempts")
    func retries() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                server.enqueue(.json(#"{"error":"busy"}"#, status: 503), for: Self.path)
                server.setDefault(.json("{}"), for: Self.path)
                let notifier = SignedNotifier(url: server.baseURL + Self.path, secret: "k", transport: curl,
                                              backoff: .milliseconds(10))
                #expect(await notifier.send(type: "approval.decided", data: [:]))
                #expect(server.requests.count == 2)
            }
            try await withFakeLLMServer { server in
                server.setDefault(.json("{}", status: 500), for: Self.path)
                let notifier = SignedNotifier(url: server.baseURL + Self.path, secret: "k", transport: curl,
                                              backoff: .milliseconds(10))
                #expect(await notifier.send(type: "approval.decided", data: [:]) == false)
                #expect(server.requests.count == 4)
            }
        }
    }
}
