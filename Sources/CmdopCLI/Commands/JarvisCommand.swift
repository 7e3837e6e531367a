import ArgumentParser
import CmdopCurl
import CmdopMesh
import Foundation
import JarvisDaemon
import JarvisTools

/// `cmdop jarvis --relay URL --fleet NAME`: jarvis alone, joining a relay elsewhere as an ordinary
/// participant (its identity registered there by an admin with `cmdop server register-jarvis`).
struct JarvisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jarvis", abstract: "Run jarvis alone, joining a relay elsewhere.",
        discussion: """
            First register jarvis's identity on the relay host: \
            cmdop server register-jarvis --fleet NAME --home DIR, and copy DIR/jarvis_keypair.bin (mode 0600) \
            to this machine's --home. Model: --home's providers.yaml or CMDOP_PROVIDERS, else an ollama on \
            127.0.0.1:11434.
            """)

    @Option(help: "The relay URL, e.g. https://relay.example.com:7443.")
    var relay: String

    @Option(help: "The fleet jarvis serves.")
    var fleet: String

    @Option(help: "jarvis's folder: identity, permissions.yaml, stores (default DATA-DIR/jarvis); one jarvis per folder.")
    var home: String?

    @OptionGroup var serving: JarvisServeOptions

    @Option(help: "A PEM CA certificate to trust for the relay's TLS.")
    var caCert: String?

    @Option(help: "The system prompt template (default DEFINITIONS/Prompts/system.md when present).")
    var prompt: String?


    func run() async throws {
        var parsed = try RelayEndpoint(parsing: relay)
        parsed.trustRootsPEM = try TrustRoots.load(caCert)
        let endpoint = parsed
        let (host, port) = try serving.address()
        let home = home ?? DataDirectory(override: nil).path + "/jarvis"
        guard FileManager.default.fileExists(atPath: home + "/jarvis_keypair.bin") else {
            throw CommandFailure("\(home)/jarvis_keypair.bin is missing: register jarvis with `cmdop server register-jarvis --fleet \(fleet)` on the relay host and copy its key here")
        }
        let logger = CLILogging.logger("cmdop.jarvis", defaultLevel: .notice)
        let definitionsDirectory = serving.definitions ?? DefinitionsFolder.find(dataDirectory: home)
        let systemPrompt = definitionsDirectory + "/Prompts/system.md"
        let promptPath = prompt ?? (FileManager.default.fileExists(atPath: systemPrompt) ? systemPrompt : nil)
        try await SignalScope.run {
            try await withCurlTransport { curl in
                let setup = ModelSetup(transport: curl, dataDirectory: home, mayStartLocalModel: false)
                guard let model = try await setup.choose() else { throw CommandFailure("jarvis has no model. \(ModelSetup.hint)") }
                var configuration = JarvisConfiguration(endpoint: endpoint, fleet: fleet, home: home, httpHost: host,
                                                        httpPort: port, promptPath: promptPath, definitionsDirectory: definitionsDirectory)
                configuration.allowPlainHTTP = serving.httpPlain
                try await JarvisProcess(configuration: configuration, provider: model.provider, modelResolver: model.resolver, logger: logger,
                              makeNotifier: { SignedNotifier(url: $0, secret: $1, transport: curl) }).run { port in
                    Terminal.say("jarvis is up in fleet '\(fleet)' via \(endpoint): HTTP API on http://\(host):\(port), model: \(model.description)")
                }
            }
        }
    }
}
