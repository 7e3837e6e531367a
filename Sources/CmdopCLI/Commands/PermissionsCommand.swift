import ArgumentParser
import CmdopAgent
import CmdopPermissions
import Foundation

/// `cmdop permissions list|allow|deny|ask|mode|audit`: this machine's own gate.
struct PermissionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permissions",
        abstract: "Show or change what the mesh may do on this machine (permissions.yaml).",
        discussion: """
            Rules read tool(body): execute_command(git *), read_file(/var/log/**), list_dir(**).
            `*` matches within one word or path component, `**` any depth. The floor (rm -rf /, writes to \
            ~/.ssh, …) is never allowed, whatever the rules or mode say.
            """,
        subcommands: [List.self, Allow.self, Deny.self, Ask.self, Mode.self, Audit.self])

    struct Location: ParsableArguments {
        @Option(help: "The agent home (default ~/.cmdop, or CMDOP_HOME).")
        var home: String?

        var file: PermissionsFile { PermissionsFile(path: AgentPathsOption(home: home).paths.permissions) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the mode and rules.")
        @OptionGroup var location: Location

        func run() throws {
            print(try location.file.policy().yaml(), terminator: "")
        }
    }

    struct Allow: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an allow rule.")
        @OptionGroup var location: Location
        @Argument(help: "The rule, e.g. 'execute_command(systemctl status *)'.") var rule: String
        func run() throws { try add(rule, .allow, location.file) }
    }

    struct Deny: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a deny rule.")
        @OptionGroup var location: Location
        @Argument(help: "The rule, e.g. 'execute_command(rm **)'.") var rule: String
        func run() throws { try add(rule, .deny, location.file) }
    }

    struct Ask: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an ask rule (refused on a headless agent).")
        @OptionGroup var location: Location
        @Argument(help: "The rule.") var rule: String
        func run() throws { try add(rule, .ask, location.file) }
    }

    struct Mode: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show or set the mode: default, strict or bypass.")
        @OptionGroup var location: Location
        @Argument(help: "default | strict | bypass") var mode: String?

        func run() throws {
            let file = location.file
            var policy = try file.policy()
            guard let mode else { return print(policy.mode.rawValue) }
            guard let parsed = PermissionMode(rawValue: mode) else {
                throw ValidationError("unknown mode '\(mode)'; use default, strict or bypass")
            }
            policy.mode = parsed
            try file.save(policy)
            print("mode: \(parsed.rawValue) (\(file.path))")
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the last decisions from the audit log.")
        @Option(help: "The agent home (default ~/.cmdop, or CMDOP_HOME).") var home: String?
        @Option(help: "How many lines.") var tail = 20
        @Option(help: "Only this decision (allow, deny, ask_denied …).") var decision: String?
        @Option(help: "Only this tool.") var tool: String?

        func run() throws {
            let log = try AuditLog(path: AgentPathsOption(home: home).paths.auditLog)
            let entries = log.entries().filter { entry in
                (decision.map { entry.decision == $0 } ?? true) && (tool.map { entry.tool == $0 } ?? true)
            }
            for entry in entries.suffix(tail) {
                print([entry.ts, entry.decision, entry.tool, entry.user, entry.source, entry.reason,
                       entry.exitCode.map { "exit \($0)" } ?? ""].joined(separator: "  "))
            }
        }
    }

    static func add(_ rule: String, _ decision: Decision, _ file: PermissionsFile) throws {
        let policy = try file.policy().adding(rule, effect: decision)
        try file.save(policy)
        print("added \(decision) \(rule) to \(file.path)")
    }
}
