import ArgumentParser
import CmdopCurl
import CmdopProviders
import Foundation

/// `cmdop approvals list|approve ID|deny ID [--reason]`: on-call decisions on jarvis's asks, through
/// jarvis's HTTP API with an API key that holds `approvals:decide` (recorded as the decider).
struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals", abstract: "List pending approvals, approve or deny them.",
        subcommands: [List.self, Approve.self, Deny.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pending approvals of your fleet, oldest first.")
        @OptionGroup var options: JarvisOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let pending = try await withCurlTransport { curl in
                try await options.client(curl).call("GET", "/v1/approvals")
            }
            if json { return print(pending.serialized()) }
            let approvals = pending["approvals"]?.arrayValue ?? []
            if approvals.isEmpty { return print("no pending approvals") }
            for approval in approvals {
                let targets = approval["targets"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? ""
                print("""
                    \(approval["id"]?.stringValue ?? "")  \(approval["tool"]?.stringValue ?? "") on \(targets)  asked by \(approval["requested_by"]?.stringValue ?? "")
                      arguments: \(approval["arguments"]?.serialized() ?? "")
                      why: \(approval["reason"]?.stringValue ?? "")
                      expires: \(approval["expires_at"]?.stringValue ?? "")
                    """)
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Allow exactly the call an approval describes.")
        @OptionGroup var options: JarvisOptions
        @Argument(help: "The approval's id.") var id: String
        @Option(help: "A note for the audit log.") var reason = ""

        func run() async throws {
            let approval = try await ApprovalsCommand.decide(id, approve: true, reason: reason, options: options)
            print("approved \(id): \(approval["tool"]?.stringValue ?? "") \(approval["arguments"]?.serialized() ?? "")")
        }
    }

    struct Deny: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse the call an approval describes; jarvis is told why.")
        @OptionGroup var options: JarvisOptions
        @Argument(help: "The approval's id.") var id: String
        @Option(help: "Why (the model reads this).") var reason = ""

        func run() async throws {
            _ = try await ApprovalsCommand.decide(id, approve: false, reason: reason, options: options)
            print("denied \(id)")
        }
    }

    static func decide(_ id: String, approve: Bool, reason: String, options: JarvisOptions) async throws -> JSONValue {
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw ValidationError("'\(id)' is not an approval id (see `cmdop approvals list`)")
        }
        return try await withCurlTransport { curl in
            try await options.client(curl).call("POST", "/v1/approvals/\(id)/\(approve ? "approve" : "deny")",
                                                json: ["reason": .string(reason)])
        }
    }
}
