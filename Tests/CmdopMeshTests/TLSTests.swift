import CmdopCore
import CmdopMesh
import CmdopTesting
import Foundation
import Testing

@Suite("TLS between agents, operators and the relay", .timeLimit(.minutes(1)))
struct TLSTests {
    /// A self-signed certificate for 127.0.0.1 made with the openssl CLI.
    static func makeCertificate(in folder: String) throws -> (certificate: String, key: String) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let certificate = folder + "/relay.pem"
        let key = folder + "/relay-key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=cmdop-test",
                             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a test certificate")
        return (certificate, key)
    }

    @Test("agents enrol and serve over TLS; plaintext and untrusted clients are refused")
    func tls() async throws {
        let folder = FileManager.default.temporaryDirectory.path + "/cmdop-tls-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (certificate, key) = try Self.makeCertificate(in: folder)
        try await TestMesh.with(relay: {
            $0.tlsCertificatePath = certificate
            $0.tlsKeyPath = key
        }) { mesh in
            #expect(mesh.endpoint.useTLS)
            let fleet = try mesh.fleet("ops")
            try await mesh.startAgent("web-1", fleet: fleet)
            #expect(try await mesh.withClient(fleet.operatorKey) { client in
                try await client.exec(on: "web-1", command: "true").exitCode
            } == 0)
            var plaintext = mesh.endpoint
            plaintext.useTLS = false
            plaintext.trustRootsPEM = nil
            var untrusted = mesh.endpoint
            untrusted.trustRootsPEM = nil
            for endpoint in [plaintext, untrusted] {
                await #expect {
                    try await MeshClient.connect(to: endpoint, credentials: .apiKey(fleet.operatorKey)) { client in
                        try await client.machines()
                    }
                } throws: { ($0 as? MeshError)?.code == .unavailable }
            }
        }
    }
}
