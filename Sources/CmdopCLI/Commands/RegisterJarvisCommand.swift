import ArgumentParser
import CmdopAgent
import CmdopIdentity
import CmdopStorage
import Foundation

/// `cmdop server register-jarvis --fleet NAME`: gives jarvis its identity in a fleet.
struct RegisterJarvisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register-jarvis",
        abstract: "Register jarvis's Ed25519 identity in a fleet (an admin act; join keys cannot do this).",
        discussion: """
            Creates jarvis's identity (jarvis_keypair.bin, mode 0600) in --home if it has none, and records it \
            in the relay's database as the fleet's jarvis. jarvis then connects like any machine, with role \
            jarvis, and is listed with is_jarvis.
            """)

    @Option(help: "The fleet jarvis serves (created if new).")
    var fleet: String

    @Option(help: "jarvis's hostname in the fleet.")
    var hostname = "jarvis"

    @Option(help: "Where jarvis keeps its identity (default: DATA-DIR/jarvis).")
    var home: String?

    @Option(help: "The relay's data directory.")
    var dataDir: String?

    func run() throws {
        let directory = DataDirectory(override: dataDir)
        let store = try RelayStore(path: directory.database)
        let fleetRecord = try store.ensureFleet(named: fleet).fleet
        let seedPath = (home ?? directory.path + "/jarvis") + "/jarvis_keypair.bin"
        let (identity, created) = try IdentityFile.loadOrCreate(at: seedPath)
        let record = try store.registerJarvis(fleetID: fleetRecord.id, hostname: hostname, publicKey: identity.publicKey)
        print("\(created ? "created and registered" : "registered") jarvis '\(record.hostname)' in fleet '\(fleet)': \(identity.fingerprint)")
        print("identity: \(seedPath)")
    }
}
