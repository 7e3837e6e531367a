import CmdopCurl
import CmdopIdentity
import CmdopMesh
import CmdopProviders
import CmdopStorage
import Foundation
import JarvisDaemon
import Logging

/// jarvis inside `cmdop up` and `cmdop server`: registered in its fleet by this (admin) process,
/// then connected to the relay like any participant.
enum EmbeddedJarvis {
    /// Registers jarvis in `fleet`, picks its model and runs it until cancelled.
    static func run(store: RelayStore, fleet: FleetRecord, endpoint: RelayEndpoint, directory: DataDirectory,
                    http: (host: String, port: Int), mayStartLocalModel: Bool, logger: Logger) async throws {
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
            let prompt = FileManager.default.fileExists(atPath: "Prompts/system.md") ? "Prompts/system.md" : nil
            let configuration = JarvisConfiguration(endpoint: endpoint, fleet: fleet.name, home: home, httpHost: http.host,
                                                    httpPort: http.port, promptPath: prompt)
            try await JarvisProcess(configuration: configuration, provider: model.provider, logger: logger).run { port in
                Terminal.say("""
                    jarvis is up in fleet '\(fleet.name)': HTTP API on http://\(http.host):\(port), model: \(model.description).
                      cmdop chat                      # talk to the fleet
                      cmdop approvals list            # on-call decisions
                    \(ModelSetup.hint)
                    """)
            }
        }
    }
}
