import CmdopProviders
import Foundation

/// Picks jarvis's model: providers.yaml when there is one; else an ollama answering on its port;
/// else (for `cmdop up` on a fresh machine) the project's local llama.cpp server. Says which.
struct ModelSetup {
    let transport: any HTTPTransport
    let dataDirectory: String
    /// Whether the local llama.cpp server may be started when nothing else is found.
    let mayStartLocalModel: Bool

    struct Choice {
        var provider: any LLMProvider
        var description: String
        /// Turns a run's model reference (`@fast`, a provider name) into a provider, when configured.
        var resolver: (@Sendable (String) throws -> any LLMProvider)?
    }

    func choose() async throws -> Choice? {
        let environment = ProcessInfo.processInfo.environment
        let path = environment["CMDOP_PROVIDERS"] ?? dataDirectory + "/providers.yaml"
        if FileManager.default.fileExists(atPath: path) {
            let config = try ProvidersConfig.load(path: path)
            let registry = ProviderRegistry(config: config, transport: transport)
            let provider = try registry.fallbackChain() ?? registry.provider(for: config.providers[0].name)
            return Choice(provider: provider, description: "\(config.providers[0].name) from \(path)",
                          resolver: { try registry.provider(for: $0) })
        }
        if let model = await ollamaModel() {
            let config = ProviderConfig(name: "ollama", wire: .ollama, baseURL: "http://127.0.0.1:11434", defaultModel: model)
            return Choice(provider: wrapped(config), description: "ollama on 127.0.0.1:11434, model \(model)")
        }
        guard mayStartLocalModel else { return nil }
        guard let root = try await localLlama() else { return nil }
        let config = ProviderConfig(name: "local-llama", wire: .openAIChat, baseURL: root + "/v1",
                                    defaultModel: "SmolLM2-135M-Instruct")
        return Choice(provider: wrapped(config),
                      description: "the local llama.cpp server at \(root) (SmolLM2-135M: tiny, for trying things out)")
    }

    /// How to point jarvis at a real model.
    static let hint = """
        Point jarvis at a real model with DATA-DIR/providers.yaml (or CMDOP_PROVIDERS), e.g.
        \(ProvidersConfig.indented(ProvidersConfig.gatewayExample, by: 2))
        then check it with `cmdop llm doctor`.
        """

    private func wrapped(_ config: ProviderConfig) -> any LLMProvider {
        ProviderRegistry(config: ProvidersConfig(providers: [config]), transport: transport).wireProvider(config)
    }

    /// The first model of an ollama answering on 127.0.0.1:11434, if any.
    private func ollamaModel() async -> String? {
        let request = HTTPRequest(method: "GET", url: "http://127.0.0.1:11434/api/tags",
                                  timeouts: .init(connect: .seconds(1), idle: .seconds(2), total: .seconds(3)))
        guard let response = try? await transport.fetch(request), response.status == 200,
              let json = try? JSONValue(parsingBytes: response.body) else { return nil }
        return json["models"]?.arrayValue?.first?["name"]?.stringValue
    }

    /// Starts (or finds) the local llama.cpp server with `scripts/llama-server.sh`; its base URL.
    private func localLlama() async throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["CMDOP_LLAMA_URL"], !url.isEmpty { return url }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates = [environment["CMDOP_LLAMA_SCRIPT"], FileManager.default.currentDirectoryPath + "/scripts/llama-server.sh",
                          executable.deletingLastPathComponent().appendingPathComponent("../../../scripts/llama-server.sh").standardized.path]
        guard let script = candidates.compactMap({ $0 }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
        Terminal.say("No model is configured and no ollama answers on 127.0.0.1:11434: starting the local llama.cpp server (\(script)); the first run installs it and downloads a ~100 MB model.")
        do {
            return try await LocalLlamaScript.start(script: script)
        } catch {
            Terminal.warn("the local llama.cpp server did not start: \(error)")
            return nil
        }
    }
}

