import ArgumentParser
import CmdopCurl
import CmdopProviders
import Foundation

/// `cmdop webhooks list|deliveries NAME|replay DELIVERY|validate`.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Signed inbound webhooks (Webhooks/*.yaml): list, deliveries, replay, validate.",
        subcommands: [List.self, Deliveries.self, Replay.self, Validate.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Webhook routes with their verification, targets, and whether they take deliveries (and if not, why).")
        @OptionGroup var options: JarvisOptions

        func run() async throws {
            let body = try await withCurlTransport { try await options.client($0).call("GET", "/v1/webhooks") }
            for hook in body["webhooks"]?.arrayValue ?? [] {
                let state = hook["disabled_reason"]?.stringValue ?? "enabled"
                print("\(hook["name"]?.stringValue ?? "")\tPOST \(hook["route"]?.stringValue ?? "")\t\(hook["scheme"]?.stringValue ?? "")\ttargets \(hook["targets"]?.stringValue ?? "")\t\(state)")
            }
            for error in body["errors"]?.arrayValue ?? [] { Terminal.warn("error: \(error.stringValue ?? "")") }
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A webhook's recent deliveries: state, outcome and run.")
        @OptionGroup var options: JarvisOptions
        @Argument(help: "The webhook's name.") var name: String
        @Option(help: "How many, newest first.") var limit = 20

        func run() async throws {
            let body = try await withCurlTransport {
                try await options.client($0).call("GET", "/v1/webhooks/\(try TriggerCommand.checked(name))/deliveries?limit=\(limit)")
            }
            for delivery in body["deliveries"]?.arrayValue ?? [] {
                print("\(delivery["id"]?.stringValue ?? "")\t\(delivery["received_at"]?.stringValue ?? "")\t\(delivery["state"]?.stringValue ?? "")\t\(delivery["outcome"]?.stringValue ?? "")\trun \(delivery["run_id"]?.stringValue ?? "")\tsender \(delivery["sender_delivery_id"]?.stringValue ?? "-")")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a stored delivery again, as a new delivery with a new run.")
        @OptionGroup var options: JarvisOptions
        @Argument(help: "The delivery's id (see `cmdop webhooks deliveries NAME`).") var delivery: String

        func run() async throws {
            guard delivery.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
                throw ValidationError("'\(delivery)' is not a delivery id (see `cmdop webhooks deliveries NAME`)")
            }
            let body = try await withCurlTransport { try await options.client($0).call("POST", "/v1/deliveries/\(delivery)/replay") }
            let runID = body["run_id"]?.stringValue ?? ""
            print("replayed as delivery \(body["id"]?.stringValue ?? ""), run \(runID) — follow it: cmdop chat --session \(runID)")
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check Webhooks/*.yaml without a server: every error with file, line and key; a hook whose secret is not set in this environment is valid but reported disabled here.")
        @Option(help: "The folder with Triggers/, Webhooks/ and Prompts/ (default: the current folder).")
        var definitions = FileManager.default.currentDirectoryPath

        func run() throws {
            try DefinitionsValidation.run(definitions, kind: "webhook")
        }
    }
}
