import CmdopProviders
import Foundation
import Testing

@Suite("Provider configuration")
struct ConfigTests {
    static let valid = """
        providers:
          - name: local
            wire: ollama
            base_url: http://127.0.0.1:11434
            default_model: qwen2.5:7b
            num_ctx: 16384
          - name: anthropic
            wire: anthropicMessages
            base_url: https://api.anthropic.com
            api_key_env: ANTHROPIC_API_KEY
            default_model: claude-sonnet-4-5
            price_per_million_input: 3
            price_per_million_output: 15
        aliases:
          "@fast": { provider: local }
          "@smart": { provider: anthropic, model: claude-opus-4-1 }
        fallback: [local, anthropic]
        """

    @Test("a valid file loads, aliases resolve to provider and model")
    func loads() throws {
        let config = try ProvidersConfig.load(yaml: Self.valid, file: "providers.yaml")
        #expect(config.providers.count == 2)
        #expect(config.providers[0].numCtx == 16384)
        #expect(config.providers[1].apiKeyEnv == "ANTHROPIC_API_KEY")
        #expect(config.providers[1].pricePerMillionOutput == 15)
        #expect(try config.resolve("@fast").model == "qwen2.5:7b")
        #expect(try config.resolve("@smart").model == "claude-opus-4-1")
        #expect(try config.resolve("@smart").provider.name == "anthropic")
        #expect(try config.resolve("local:llama3.2").model == "llama3.2")
        #expect(config.fallback == ["local", "anthropic"])
        #expect(throws: ProviderError.self) { try config.resolve("@premium") }
    }

    @Test("wire takes the common spellings as well as the case names", arguments: [
        ("openai", ProviderConfig.Wire.openAIChat), ("OpenAI", .openAIChat), ("openai-compatible", .openAIChat),
        ("openai_compatible", .openAIChat), ("openai-chat", .openAIChat), ("openAIChat", .openAIChat),
        ("anthropic", .anthropicMessages), ("anthropic-messages", .anthropicMessages), ("anthropicMessages", .anthropicMessages),
        ("ollama", .ollama), ("Ollama", .ollama),
    ])
    func wireSpellings(spelling: String, wire: ProviderConfig.Wire) throws {
        let yaml = "providers:\n  - name: a\n    wire: \(spelling)\n    base_url: http://x\n    default_model: m\n"
        #expect(try ProvidersConfig.load(yaml: yaml, file: "providers.yaml").providers[0].wire == wire)
    }

    @Test("every providers.yaml example cmdop prints loads", arguments: ProvidersConfig.examples.sorted { $0.key < $1.key })
    func examplesLoad(name: String, yaml: String) throws {
        let config = try ProvidersConfig.load(yaml: yaml, file: "\(name).yaml")
        #expect(!config.providers.isEmpty)
        for alias in config.aliases.keys { _ = try config.resolve(alias) }
    }

    @Test("invalid files fail naming the file, line, key and fix", arguments: [
        ("providers:\n  - name: a\n    wire: ollama\n    base_url: http://x\n    default_model: m\n    temprature: 1\n",
         "providers.yaml:6: providers[0].temprature: unknown key"),
        ("providers:\n  - name: a\n    wire: gemini\n    base_url: http://x\n    default_model: m\n",
         "providers.yaml:3: providers[0].wire: unknown wire 'gemini'. Use openai (any OpenAI-compatible server), anthropic or ollama."),
        ("providers:\n  - name: a\n    wire: openAIChat\n    base_url: http://x\n    api_key_env: sk-proj-abc123\n    default_model: m\n",
         "providers[0].api_key_env: takes the NAME of an environment variable"),
        ("providers:\n  - name: a\n    wire: ollama\n    base_url: 127.0.0.1:11434\n    default_model: m\n",
         "providers.yaml:4: providers[0].base_url: '127.0.0.1:11434' is not an http:// or https:// URL"),
        ("providers:\n  - name: a\n    wire: ollama\n    base_url: http://x\n",
         "providers[0].default_model: missing; add it"),
        ("providers:\n  - name: a\n    wire: ollama\n    base_url: http://x\n    default_model: m\naliases:\n  \"@fast\": { provider: b }\n",
         "aliases.@fast.provider: no provider is named 'b'"),
        ("providers:\n  - name: a\n    wire: ollama\n    base_url: http://x\n    default_model: m\n    num_ctx: -1\n",
         "providers.yaml:6: providers[0].num_ctx: expected a positive integer"),
        ("provider: []\n", "providers.yaml:1: provider: unknown key. Did you mean `providers`?"),
        ("providers: [\n", "providers.yaml"),
    ])
    func rejects(yaml: String, expected: String) {
        do {
            _ = try ProvidersConfig.load(yaml: yaml, file: "providers.yaml")
            Issue.record("expected an error for \(yaml)")
        } catch let error as ConfigError {
            #expect(error.description.contains(expected), "got: \(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("a missing file names its path")
    func missingFile() {
        #expect {
            try ProvidersConfig.load(path: "/nonexistent/providers.yaml")
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix("/nonexistent/providers.yaml: cannot read the file") == true
        }
    }

    @Test("the registry resolves aliases to retried providers and builds the fallback chain")
    func registry() throws {
        let config = try ProvidersConfig.load(yaml: Self.valid, file: "providers.yaml")
        let registry = ProviderRegistry(config: config, transport: sharedTransport, environment: [:])
        #expect(try registry.provider(for: "@smart").name == "anthropic")
        #expect(registry.fallbackChain()?.name == "local→anthropic")
        #expect(registry.breaker(for: "http://127.0.0.1:11434") === registry.breaker(for: "http://127.0.0.1:11434"))
    }
}
