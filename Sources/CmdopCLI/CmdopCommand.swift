import ArgumentParser

/// `cmdop`: a private mesh for machines you own.
public struct CmdopCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cmdop",
        abstract: "A private mesh for machines you own: a relay, machine agents and operators on one protocol.",
        discussion: """
            Quick start on one machine:
              cmdop up                          relay + a local agent, data under ~/.local/share/cmdop
              cmdop machines                    list the fleet
              cmdop exec --all -- uptime        run a command on every machine

            A fleet across machines:
              cmdop server --listen 0.0.0.0:7443 --tls-cert C --tls-key K   (on the relay host)
              cmdop server join-key --fleet ops                            (prints a join key)
              cmdop join KEY --server https://relay:7443 && cmdop agent start   (on each machine)
            """,
        subcommands: [
            UpCommand.self, ServerCommand.self, JoinCommand.self, AgentCommand.self, IdentityCommand.self,
            MachinesCommand.self, ExecCommand.self, ChatCommand.self, JarvisCommand.self, TriggerCommand.self, WebhooksCommand.self, PermissionsCommand.self, LLMCommand.self, AuditCommand.self,
            ApprovalsCommand.self,
        ])

    public init() {}

    /// Parses the process arguments and runs the chosen command (async or not), exiting with its
    /// status. The executable's entry point; `main()` cannot be used across the module boundary.
    public static func execute() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
