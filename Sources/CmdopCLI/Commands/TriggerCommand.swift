import ArgumentParser
import CmdopCurl
import CmdopProviders
import Foundation
import JarvisTriggers

/// `cmdop trigger list|history NAME|health|run NAME|enable NAME|disable NAME|validate`.
struct TriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger", abstract: "Scheduled jarvis runs (Triggers/*.yaml): list, history, health, run, enable, disable, validate.",
        subcommands: [List.self, History.self, Health.self, Run.self, Enable.self, Disable.self, Validate.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Triggers with their schedule, state and next fire.")
        @OptionGroup var options: JarvisOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let body = try await withCurlTransport { try await options.client($0).call("GET", "/v1/triggers") }
            if json { return print(body.serialized()) }
            for trigger in body["triggers"]?.arrayValue ?? [] {
                let state = trigger["enabled"]?.boolValue == true ? (trigger["running"]?.boolValue == true ? "running" : "enabled") : "disabled"
                print("\(trigger["name"]?.stringValue ?? "")\t\(trigger["schedule"]?.stringValue ?? "")\t\(state)\tnext \(trigger["next_fire"]?.stringValue ?? "-")\ttargets \(trigger["targets"]?.stringValue ?? "")")
            }
            for error in body["errors"]?.arrayValue ?? [] { Terminal.warn("error: \(error.stringValue ?? "")") }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A trigger's past fires: outcome, duration, run id.")
        @OptionGroup var options: JarvisOptions
        @Argument(help: "The trigger's name.") var name: String
        @Option(help: "How many fires, newest first.") var limit = 20

        func run() async throws {
            let body = try await withCurlTransport {
                try await options.client($0).call("GET", "/v1/triggers/\(try TriggerCommand.checked(name))/history?limit=\(limit)")
            }
            for entry in body["history"]?.arrayValue ?? [] {
                let duration = entry["duration_ms"]?.doubleValue.map { " \(Int($0)) ms" } ?? ""
                print("\(entry["scheduled_for"]?.stringValue ?? "")\t\(entry["kind"]?.stringValue ?? "")\t\(entry["outcome"]?.stringValue ?? "")\(duration)\t\(entry["run_id"]?.stringValue ?? "")\t\(entry["reason"]?.stringValue ?? "")")
            }
        }
    }

    struct Health: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Last outcome, next fire and consecutive failures per trigger.")
        @OptionGroup var options: JarvisOptions

        func run() async throws {
            let body = try await withCurlTransport { try await options.client($0).call("GET", "/v1/triggers/health") }
            var failing = false
            for item in body["health"]?.arrayValue ?? [] {
                let failures = item["consecutive_failures"]?.intValue ?? 0
                failing = failing || failures > 0
                print("\(item["name"]?.stringValue ?? "")\tlast \(item["last_outcome"]?.stringValue ?? "never ran")\tnext \(item["next_fire"]?.stringValue ?? "-")\tconsecutive failures \(failures)")
            }
            if failing { throw ExitCode(1) }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fire a trigger now (its overlap policy applies); follow it with cmdop chat --session.")
        @OptionGroup var options: JarvisOptions
        @Argument(help: "The trigger's name.") var name: String

        func run() async throws {
            let body = try await withCurlTransport { try await options.client($0).call("POST", "/v1/triggers/\(try TriggerCommand.checked(name))/run") }
            let status = body["status"]?.stringValue ?? ""
            if let runID = body["run_id"]?.stringValue {
                print("\(status) run \(runID) — follow it: cmdop chat --session \(runID)")
            } else {
                print("\(status): \(body["reason"]?.stringValue ?? "")")
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a trigger fire again (beats the file's enabled: false).")
        @OptionGroup var options: JarvisOptions
        @Argument(help: "The trigger's name.") var name: String

        func run() async throws {
            _ = try await withCurlTransport { try await options.client($0).call("POST", "/v1/triggers/\(try TriggerCommand.checked(name))/enable") }
            print("enabled \(name)")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a trigger from firing (kept across restarts; a running fire finishes).")
        @OptionGroup var options: JarvisOptions
        @Argument(help: "The trigger's name.") var name: String

        func run() async throws {
            _ = try await withCurlTransport { try await options.client($0).call("POST", "/v1/triggers/\(try TriggerCommand.checked(name))/disable") }
            print("disabled \(name)")
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check Triggers/*.yaml without a server: every error with file, line and key.")
        @Option(help: "The folder with Triggers/, Webhooks/ and Prompts/ (default: the current folder).")
        var definitions = FileManager.default.currentDirectoryPath

        func run() throws {
            try DefinitionsValidation.run(definitions, kind: "trigger")
        }
    }

    static func checked(_ name: String) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("'\(name)' is not a trigger name (see `cmdop trigger list`)")
        }
        return name
    }
}

/// `validate` for both verbs: loads the folder as jarvis would and prints what it found.
enum DefinitionsValidation {
    static func run(_ root: String, kind: String) throws {
        let loaded = DefinitionLoader.load(triggersDirectory: kind == "trigger" ? root + "/Triggers" : nil,
                                           webhooksDirectory: kind == "webhook" ? root + "/Webhooks" : nil,
                                           promptsDirectory: root + "/Prompts", environment: ProcessInfo.processInfo.environment)
        for trigger in loaded.triggers { print("ok trigger \(trigger.name): \(trigger.schedule), targets \(trigger.targets)") }
        for hook in loaded.webhooks {
            print("ok webhook \(hook.name): POST \(hook.route), \(hook.scheme.rawValue)\(hook.isEnabled ? "" : " (disabled here)")")
            if let reason = hook.disabledReason { Terminal.warn("webhook \(hook.name) is \(reason)") }
        }
        for error in loaded.errors { Terminal.warn("error: \(error.description)") }
        if !loaded.errors.isEmpty { throw ExitCode(1) }
    }
}
