import ArgumentParser
import CmdopStorage
import Foundation

/// `cmdop server api-key create|list|revoke`.
struct APIKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key", abstract: "Create, list and revoke operator API keys.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key; it is printed once and stored only as a SHA-256.",
            discussion: "Scopes: \(Scope.all.map(\.rawValue).joined(separator: ", ")).")

        @Option(help: "The fleet the key acts in (created if new).")
        var fleet: String

        @Option(name: .customLong("scope"), help: "A scope to grant; repeat for several.")
        var scopes: [String] = []

        @Option(help: "A note to recognise the key by.")
        var label = ""

        @Option(help: "The relay's data directory.")
        var dataDir: String?

        func validate() throws {
            if scopes.isEmpty { throw ValidationError("give at least one --scope (e.g. --scope machines:read)") }
            for scope in scopes {
                do { _ = try Scope(parsing: scope) } catch let error as StoreError { throw ValidationError(error.message) }
            }
        }

        func run() throws {
            let store = try RelayStore(path: DataDirectory(override: dataDir).database)
            let fleetRecord = try store.ensureFleet(named: fleet).fleet
            let (record, key) = try store.createAPIKey(
                fleetID: fleetRecord.id, scopes: Set(try scopes.map(Scope.init(parsing:))), label: label)
            print(key)
            FileHandle.standardError.write(Data(
                "key \(record.id) for fleet '\(fleet)' with \(record.scopes.sorted().map(\.rawValue).joined(separator: " ")); it will not be shown again\n".utf8))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @Option(help: "Only keys of this fleet.")
        var fleet: String?

        @Option(help: "The relay's data directory.")
        var dataDir: String?

        func run() throws {
            let store = try RelayStore(path: DataDirectory(override: dataDir).database)
            var fleetID: String?
            if let fleet {
                guard let record = try store.fleet(named: fleet) else { throw CommandFailure("no fleet '\(fleet)'") }
                fleetID = record.id
            }
            let formatter = ISO8601DateFormatter()
            print(["ID", "PREFIX", "FLEET", "SCOPES", "LAST-USED", "STATUS", "LABEL"].joined(separator: "\t"))
            for key in try store.apiKeys(fleetID: fleetID) {
                print([key.id, key.prefix + "…", key.fleetName, key.scopes.sorted().map(\.rawValue).joined(separator: ","),
                       key.lastUsedAt.map(formatter.string) ?? "never", key.revokedAt == nil ? "active" : "revoked",
                       key.label].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id or prefix; the relay refuses it at once and closes its open streams within half a heartbeat interval.")

        @Argument(help: "The key's id or prefix.")
        var key: String

        @Option(help: "The relay's data directory.")
        var dataDir: String?

        func run() throws {
            let store = try RelayStore(path: DataDirectory(override: dataDir).database)
            let record = try store.revokeAPIKey(key)
            print("revoked \(record.id) (\(record.prefix)…)")
        }
    }
}
