import ArgumentParser
import CmdopCurl
import CmdopProviders
import Foundation

/// `cmdop llm doctor`: checks the configured model providers end to end.
struct LLMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm", abstract: "The model providers jarvis uses.", subcommands: [Doctor.self])

    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check each provider: API key, models listed, a streamed reply, a tool-call round trip.",
            discussion: """
                Reads providers.yaml (--config, or CMDOP_PROVIDERS, or providers.yaml in the data directory). \
                Every failed check says how to fix it. Exits 1 if any provider is unhealthy.

                Example providers.yaml:
                \(ProvidersConfig.indented(ProvidersConfig.localAndAnthropicExample, by: 2))
                """)

        @Option(help: "Check only this provider.")
        var provider: String?

        @Option(help: "The providers file (default: $CMDOP_PROVIDERS, else providers.yaml in the data directory).")
        var config: String?

        @Option(help: "The data directory (default ~/.local/share/cmdop).")
        var dataDir: String?

        func run() async throws {
            let path = config ?? ProcessInfo.processInfo.environment["CMDOP_PROVIDERS"]
                ?? DataDirectory(override: dataDir).path + "/providers.yaml"
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure("\(path): no providers file; create one (see `cmdop llm doctor --help`) or pass --config")
            }
            let providers = try ProvidersConfig.load(path: path)
            var selected = providers.providers
            if let provider {
                selected = selected.filter { $0.name == provider }
                if selected.isEmpty {
                    let known = providers.providers.map(\.name).joined(separator: ", ")
                    throw CommandFailure("\(path): no provider '\(provider)'; known: \(known)")
                }
            }
            let environment = ProcessInfo.processInfo.environment
            let reports = await withCurlTransport { http in
                var reports: [DoctorReport] = []
                for config in selected {
                    let report = await LLMDoctor(transport: http, environment: environment).check(config)
                    Terminal.say(report.description)
                    reports.append(report)
                }
                return reports
            }
            if reports.contains(where: { !$0.isHealthy }) { throw ExitCode(1) }
        }
    }
}
