import ArgumentParser
import CmdopStorage
import Foundation
import JarvisApprovals

/// `cmdop approvals list|approve ID|deny ID [--reason]`: on-call decisions on jarvis's asks.
///
/// Runs on the jarvis host against its data directory; the approver authenticates with an API key
/// that holds `approvals:decide`, and that key (never its secret) is recorded as the decider.
struct ApprovalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals", abstract: "List pending approvals, approve or deny them.",
        subcommands: [List.self, Approve.self, Deny.self], defaultSubcommand: List.self)

    struct Approver: ParsableArguments {
        @Option(help: "An API key with the approvals:decide scope (env CMDOP_API_KEY; default: cmdop up's key).")
        var apiKey: String?

        @Option(help: "The data directory (default ~/.local/share/cmdop).")
        var dataDir: String?

        /// The approver's fleet and identity, from a key that may decide approvals.
        func authenticate() throws -> (store: ApprovalStore, fleetID: String, approver: String) {
            let directory = DataDirectory(override: dataDir)
            let relay = try RelayStore(path: directory.database)
            let key = try apiKey ?? ProcessInfo.processInfo.environment["CMDOP_API_KEY"]
                ?? String(contentsOfFile: directory.operatorKeyPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let record = try relay.authenticateAPIKey(key), record.revokedAt == nil else {
                throw ValidationError("unknown or revoked API key")
            }
            guard record.scopes.permits(.approvalsDecide) else {
                throw ValidationError("key \(record.prefix)… lacks the approvals:decide scope")
            }
            return (try ApprovalStore(path: directory.path + "/approvals.db"), record.fleetID, "operator:" + record.prefix)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pending approvals of your fleet, oldest first.")
        @OptionGroup var approver: Approver

        func run() throws {
            let (store, fleetID, _) = try approver.authenticate()
            _ = try store.expireDue()
            let pending = try store.pending(fleetID: fleetID)
            if pending.isEmpty { return print("no pending approvals") }
            let formatter = ISO8601DateFormatter()
            for approval in pending {
                print("""
                    \(approval.id)  \(approval.tool) on \(approval.targets.joined(separator: ","))  asked by \(approval.requestedBy)
                      arguments: \(approval.arguments)
                      why: \(approval.reason)
                      expires: \(formatter.string(from: approval.expiresAt))
                    """)
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Allow exactly the call an approval describes.")
        @OptionGroup var approver: Approver
        @Argument(help: "The approval's id.") var id: String
        @Option(help: "A note for the audit log.") var reason = ""

        func run() throws {
            let (store, fleetID, who) = try approver.authenticate()
            do {
                let approval = try store.decide(id, fleetID: fleetID, approve: true, by: who, reason: reason)
                print("approved \(approval.id): \(approval.tool) \(approval.arguments)")
            } catch let error as ApprovalError {
                throw ValidationError(error.message)
            }
        }
    }

    struct Deny: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse the call an approval describes; jarvis is told why.")
        @OptionGroup var approver: Approver
        @Argument(help: "The approval's id.") var id: String
        @Option(help: "Why (the model reads this).") var reason = ""

        func run() throws {
            let (store, fleetID, who) = try approver.authenticate()
            do {
                let approval = try store.decide(id, fleetID: fleetID, approve: false, by: who, reason: reason)
                print("denied \(approval.id)")
            } catch let error as ApprovalError {
                throw ValidationError(error.message)
            }
        }
    }
}
