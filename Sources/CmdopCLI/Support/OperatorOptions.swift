import ArgumentParser
import CmdopMesh
import Foundation

/// How an operator command reaches the relay: `--server` and `--api-key`.
struct OperatorOptions: ParsableArguments {
    @Option(name: .long, help: "The relay URL (env CMDOP_SERVER; default http://127.0.0.1:7443).")
    var server: String?

    @Option(name: .long, help: "A fleet API key (env CMDOP_API_KEY; default: the key `cmdop up` keeps in its data dir).")
    var apiKey: String?

    @Option(name: .long, help: "The data directory of a local `cmdop up` (default ~/.local/share/cmdop).")
    var dataDir: String?

    @Option(name: .long, help: "A PEM CA certificate to trust for the relay's TLS (env CMDOP_CA_CERT; default: the system store).")
    var caCert: String?

    func endpoint() throws -> RelayEndpoint {
        let environment = ProcessInfo.processInfo.environment
        var endpoint = try RelayEndpoint(parsing: server ?? environment["CMDOP_SERVER"] ?? "http://127.0.0.1:7443")
        endpoint.trustRootsPEM = try TrustRoots.load(caCert ?? environment["CMDOP_CA_CERT"])
        return endpoint
    }

    func credentials() throws -> RelayCredentials {
        if let apiKey, !apiKey.isEmpty { return .apiKey(apiKey) }
        if let key = ProcessInfo.processInfo.environment["CMDOP_API_KEY"], !key.isEmpty { return .apiKey(key) }
        let local = DataDirectory(override: dataDir).operatorKeyPath
        if let data = FileManager.default.contents(atPath: local) {
            return .apiKey(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        throw ValidationError(
            "no API key: pass --api-key, set CMDOP_API_KEY, or run `cmdop up` on this machine "
                + "(create keys with `cmdop server api-key create --fleet NAME --scope machines:read`)")
    }
}

/// The relay's data directory: `--data-dir`, else `$XDG_DATA_HOME/cmdop`, else `~/.local/share/cmdop`.
struct DataDirectory {
    let path: String

    init(override: String?) {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? NSHomeDirectory()
        path = override ?? environment["CMDOP_DATA_DIR"]
            ?? (environment["XDG_DATA_HOME"] ?? home + "/.local/share") + "/cmdop"
    }

    var database: String { path + "/relay.db" }
    var operatorKeyPath: String { path + "/operator.key" }
    var localAgentHome: String { path + "/agent" }
}

/// Reads a PEM trust root named on the command line.
enum TrustRoots {
    static func load(_ path: String?) throws -> String? {
        guard let path, !path.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("--ca-cert \(path): cannot read the file")
        }
        let pem = String(decoding: data, as: UTF8.self)
        guard pem.contains("-----BEGIN CERTIFICATE-----") else {
            throw ValidationError("--ca-cert \(path): not a PEM certificate (expected -----BEGIN CERTIFICATE-----)")
        }
        return pem
    }
}
