/// The `providers.yaml` examples cmdop prints (`cmdop up`'s hint, `cmdop llm doctor --help`). They
/// live here, next to the reader, so that a test can parse every one of them.
extension ProvidersConfig {
    /// One OpenAI-compatible gateway.
    public static let gatewayExample = """
        providers:
          - name: gateway
            wire: openai                 # or anthropic, ollama
            base_url: https://api.openai.com/v1
            api_key_env: OPENAI_API_KEY  # the variable's name, never the key
            default_model: gpt-4o-mini
        """

    /// A local model first, Anthropic for the harder questions.
    public static let localAndAnthropicExample = """
        providers:
          - name: local
            wire: openai                       # openai | anthropic | ollama
            base_url: http://127.0.0.1:8080/v1
            default_model: SmolLM2-135M-Instruct
          - name: anthropic
            wire: anthropic
            base_url: https://api.anthropic.com
            api_key_env: ANTHROPIC_API_KEY     # the variable's name, never the key
            default_model: claude-sonnet-4-5
        aliases:
          "@fast": { provider: local }
          "@smart": { provider: anthropic }
        """

    /// Every example, by name.
    public static let examples = ["gateway": gatewayExample, "local-and-anthropic": localAndAnthropicExample]

    /// `text` with every line indented by `spaces`.
    public static func indented(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
    }
}
