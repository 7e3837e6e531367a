import ArgumentParser
import CmdopCore
import CmdopMesh
import CmdopRelay
import CmdopStorage
import Foundation

/// `cmdop server`: the relay, and the admin verbs that work on its data directory.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the relay, or manage its fleets and keys.",
        subcommands: [ServeCommand.self, JoinKeyCommand.self, APIKeyCommand.self, FleetsCommand.self,
                      RegisterJarvisCommand.self],
        defaultSubcommand: ServeCommand.self)
}

/// `cmdop server [run]`: serve the relay and jarvis until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Serve the relay and jarvis (the default for `cmdop server`).",
        discussion: """
            jarvis joins the relay as an ordinary participant (role jarvis) in --jarvis-fleet, with its HTTP \
            API on --http. Its model: DATA-DIR/providers.yaml (or CMDOP_PROVIDERS), else an ollama on \
            127.0.0.1:11434. A relay with TLS runs without embedded jarvis: run `cmdop jarvis --relay URL` then.
            """)

    @Option(help: "HOST:PORT to listen on. Anything but loopback needs --tls-cert and --tls-key.")
    var listen = "127.0.0.1:7443"

    @Option(help: "Where the relay keeps its SQLite database (default ~/.local/share/cmdop).")
    var dataDir: String?

    @Option(help: "PEM certificate chain for TLS.")
    var tlsCert: String?

    @Option(help: "PEM private key for TLS.")
    var tlsKey: String?

    @Option(help: "Seconds between machine heartbeats; a machine is offline after three missed.")
    var heartbeatInterval: Double = 30

    @Option(help: "The fleet the embedded jarvis serves (created if new).")
    var jarvisFleet = "default"

    @OptionGroup var serving: JarvisServeOptions


    @Flag(help: "A bare relay, without jarvis.")
    var noJarvis = false

    func validate() throws {
        guard heartbeatInterval.isFinite, (0.05...3600).contains(heartbeatInterval) else {
            throw ValidationError("--heartbeat-interval must be between 0.05 and 3600 seconds")
        }
    }

    func run() async throws {
        let (host, port) = try ListenAddress.parse(listen)
        let configuration = RelayConfiguration(
            host: host, port: port, tlsCertificatePath: tlsCert, tlsKeyPath: tlsKey,
            heartbeatInterval: .milliseconds(Int64(heartbeatInterval * 1000)))
        do { try configuration.validate() } catch let error as MeshError { throw ValidationError(error.message) }
        let directory = DataDirectory(override: dataDir)
        let store = try RelayStore(path: directory.database)
        let logger = CLILogging.logger("cmdop.relay", defaultLevel: .info)
        let httpAddress = try serving.address()
        let withJarvis = !noJarvis && tlsCert == nil
        if !noJarvis && tlsCert != nil {
            logger.notice("the relay uses TLS: embedded jarvis is off; run `cmdop jarvis --relay URL --fleet NAME` beside it")
        }
        try await SignalScope.run {
            try await withThrowingDiscardingTaskGroup { group in
                let (bound, announce) = AsyncStream<Int>.makeStream()
                group.addTask {
                    defer { announce.finish() }
                    try await RelayServer(configuration: configuration, store: store, logger: logger).run { port in
                        logger.info("relay ready", metadata: ["relay.port": "\(port)", "relay.data": "\(directory.path)"])
                        announce.yield(port)
                    }
                }
                var ports = bound.makeAsyncIterator()
                guard withJarvis, let port = await ports.next() else { return }
                let fleet = try store.ensureFleet(named: jarvisFleet).fleet
                let relayHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
                let endpoint = RelayEndpoint(host: relayHost, port: port, useTLS: false)
                group.addTask {
                    try await EmbeddedJarvis.run(store: store, fleet: fleet, endpoint: endpoint, directory: directory,
                                                 http: httpAddress, httpPlain: serving.httpPlain, definitionsDirectory: serving.definitions, mayStartLocalModel: false, logger: logger)
                }
            }
        }
    }
}

/// Parses `HOST:PORT` (or `[v6]:PORT`).
enum ListenAddress {
    static func parse(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port)
        else { throw ValidationError("--listen '\(text)' is not HOST:PORT (e.g. 127.0.0.1:7443)") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// `cmdop server join-key --fleet NAME`: prints a new multi-use join key.
struct JoinKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join-key", abstract: "Create a join key that enrols machines into a fleet (created if new).")

    @Option(help: "The fleet machines will join.")
    var fleet: String

    @Option(help: "The relay's data directory.")
    var dataDir: String?

    func run() throws {
        let store = try RelayStore(path: DataDirectory(override: dataDir).database)
        let (record, created) = try store.ensureFleet(named: fleet)
        if created { FileHandle.standardError.write(Data("created fleet '\(fleet)'\n".utf8)) }
        let key = try store.createJoinKey(fleetID: record.id)
        print(key)
        FileHandle.standardError.write(Data("enrol a machine with: cmdop join \(key) --server URL\n".utf8))
    }
}

/// `cmdop server fleets`: lists fleets.
struct FleetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fleets", abstract: "List the relay's fleets.")

    @Option(help: "The relay's data directory.")
    var dataDir: String?

    func run() throws {
        let store = try RelayStore(path: DataDirectory(override: dataDir).database)
        for fleet in try store.fleets() {
            print("\(fleet.name)\t\(try store.machines(fleetID: fleet.id).count) machines")
        }
    }
}
