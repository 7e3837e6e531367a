import CmdopCurl
import CmdopIdentity
import CmdopMesh
import CmdopProviders
import CmdopStorage
import Foundation
import JarvisDaemon
import JarvisTools
import Logging

/// Where `Triggers/`, `Webhooks/` and `Prompts/` are: the current folder when it has them (a checkout
/// of this repository), else the data directory.
enum DefinitionsFolder {
    static func find(dataDirectory: String) -> String {
        let here = FileManager.default.currentDirectoryPath
        let names = ["Triggers", "Webhooks", "Prompts"]
        return names.contains { FileManager.default.fileExists(atPath: here + "/" + $0) } ? here : dataDirectory
    }
}

/// jarvis inside `cmdop up` and `cmdop server`: registered in its fleet by this (admin) process,
/// then connected to the relay like any participant.
enum EmbeddedJarvis {
    /// Registers jarvis in `fleet`, picks its model and runs it until cancelled.
    static func run(store: RelayStore, fleet: FleetRecord, endpoint: RelayEndpoint, directory: DataDirectory,
                    http: (host: String, port: Int), httpPlain: Bool = false, definitionsDirectory: String?,
                    mayStartLocalModel: Bool, logger: Logger) async throws {
        do {
            try await serve(store: store, fleet: fleet, endpoint: endpoint, directory: directory, http: http,
                            httpPlain: httpPlain, definitionsDirectory: definitionsDirectory, mayStartLocalModel: mayStartLocalModel, logger: logger)
        } catch where !Task.isCancelled && !(error is CancellationError) {
            // The relay and the machines go on without jarvis; say why it stopped and how to fix it.
            Terminal.warn("jarvis stopped: \(error). The relay keeps running; fix the cause and restart to get jarvis back.")
            try await Task.sleep(for: .seconds(1 << 40))
        }
    }

    private static func serve(store: RelayStore, fleet: FleetRecord, endpoint: RelayEndpoint, directory: DataDirectory,
                              http: (host: String, port: Int), httpPlain: Bool, definitionsDirectory: String?,
                              mayStartLocalModel: Bool, logger: Logger) async throws {
        let home = directory.path + "/jarvis"
        let (identity, _) = try IdentityFile.loadOrCreate(at: home + "/jarvis_keypair.bin")
        _ = try store.registerJarvis(fleetID: fleet.id, hostname: "jarvis", publicKey: identity.publicKey)
        try await withCurlTransport { curl in
            let setup = ModelSetup(transport: curl, dataDirectory: directory.path, mayStartLocalModel: mayStartLocalModel)
            guard let model = try await setup.choose() else {
                Terminal.warn("jarvis is not started: no model. \(ModelSetup.hint)")
                try await Task.sleep(for: .seconds(1 << 40))
                return
            }
            let definitions = definitionsDirectory ?? DefinitionsFolder.find(dataDirectory: directory.path)
            let prompt = FileManager.default.fileExists(atPath: definitions + "/Prompts/system.md") ? definitions + "/Prompts/system.md" : nil
            var configuration = JarvisConfiguration(endpoint: endpoint, fleet: fleet.name, home: home, httpHost: http.host,
                                                    httpPort: http.port, promptPath: prompt, definitionsDirectory: definitions)
            configuration.allowPlainHTTP = httpPlain
            try await JarvisProcess(configuration: configuration, provider: model.provider, modelResolver: model.resolver, logger: logger,
                              makeNotifier: { SignedNotifier(url: $0, secret: $1, transport: curl) }).run { port in
                Terminal.say("""
                    jarvis is up in fleet '\(fleet.name)': HTTP API on http://\(http.host):\(port), model: \(model.description).
                    Triggers, webhooks and prompts: \(definitions)/{Triggers,Webhooks,Prompts} (reloaded on change or SIGHUP).
                      cmdop chat                      # talk to the fleet
                      cmdop approvals list            # on-call decisions
                    \(ModelSetup.hint)
                    """)
            }
        }
    }
}
