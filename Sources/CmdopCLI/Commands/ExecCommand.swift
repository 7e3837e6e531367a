import ArgumentParser
import CmdopCore
import CmdopMesh
import CmdopProtocol
import Foundation

/// `cmdop exec HOST… -- CMD` and `cmdop exec --all -- CMD`.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a shell command on one machine, several, or the whole fleet.",
        discussion: """
            Examples:
              cmdop exec web-1 -- uptime
              cmdop exec web-1 web-2 -- 'systemctl status nginx'
              cmdop exec --all -- df -h /

            One host: its output passes through unchanged and its exit code becomes cmdop's.
            Several: each line is prefixed with its host, a progress line shows on a terminal, and a
            summary of exit codes follows; cmdop exits 1 if any host failed.
            """)

    @OptionGroup var connection: OperatorOptions

    @Flag(help: "Every machine of the fleet (jarvis excluded).")
    var all = false

    @Option(help: "Per-host time limit in milliseconds (one host: 1…600000, default 120000).")
    var timeoutMs: Int?

    @Option(help: "Total time limit for a fan-out in milliseconds (default 240000).")
    var totalTimeoutMs: Int?

    @Option(help: "Working directory on the machine (default: the agent's home).")
    var cwd = ""

    @Argument(help: "HOST… -- COMMAND: hostnames, display names, ids or unique prefixes, then the command.")
    var words: [String] = []

    /// The hosts before `--` and the command after it. Options may stand anywhere before `--`;
    /// everything after it is the command, so its length is read off the raw arguments.
    private var hosts: [String] { Array(words.dropLast(commandWordCount)) }
    private var command: [String] { Array(words.suffix(commandWordCount)) }
    private var commandWordCount: Int {
        let raw = CommandLine.arguments
        guard let dash = raw.firstIndex(of: "--") else { return 0 }
        return min(raw.count - dash - 1, words.count)
    }

    func validate() throws {
        guard !command.isEmpty else {
            throw ValidationError("no command: put it after `--`, e.g. cmdop exec web-1 -- uptime")
        }
        if all && !hosts.isEmpty { throw ValidationError("give hosts or --all, not both") }
        if !all && hosts.isEmpty { throw ValidationError("no hosts: name one or more, or use --all") }
    }

    func run() async throws {
        let command = self.command.joined(separator: " ")
        let endpoint = try connection.endpoint()
        let credentials = try connection.credentials()
        let code = try await MeshClient.connect(to: endpoint, credentials: credentials) { client in
            var targets = hosts
            if all {
                targets = try await client.machines().filter { !$0.isJarvis }.map(\.hostname)
                if targets.isEmpty { throw CommandFailure("the fleet has no machines yet") }
            }
            if targets.count == 1 && !all {
                return try await single(client, host: targets[0], command: command)
            }
            return await fanOut(client, hosts: targets, command: command)
        }
        if code != 0 { throw ExitCode(code) }
    }

    private func single(_ client: MeshClient, host: String, command: String) async throws -> Int32 {
        do {
            let result = try await client.exec(on: host, command: command, cwd: cwd, timeoutMs: timeoutMs) { chunk in
                (chunk.stream == .stderr ? FileHandle.standardError : FileHandle.standardOutput).write(chunk.data)
            }
            if result.outputTruncated { Terminal.warn("output was truncated by the agent's cap") }
            return result.exitCode
        } catch let error as MeshError {
            Terminal.warn("\(host): \(error.code): \(error.message)")
            return 1
        }
    }

    private func fanOut(_ client: MeshClient, hosts: [String], command: String) async -> Int32 {
        let printer = FanOutPrinter(total: Timeouts.deduplicated(hosts).count)
        let results = await FanOut(perHostTimeoutMs: timeoutMs, totalTimeoutMs: totalTimeoutMs).exec(
            command, on: hosts, cwd: cwd, through: client,
            onOutput: { host, chunk in printer.output(host: host, chunk: chunk) },
            onFinished: { result in printer.finished(result) })
        printer.summary(results)
        return results.allSatisfy { $0.outcome.succeeded } ? 0 : 1
    }
}
