/// One provider as a record: adding a vendor that speaks a known dialect is configuration, not code.
///
/// ```yaml
/// providers:
///   - name: local
///     wire: ollama
///     base_url: http://127.0.0.1:11434
///     default_model: qwen2.5:7b
///     num_ctx: 16384
///   - name: anthropic
///     wire: anthropic            # also anthropicMessages
///     base_url: https://api.anthropic.com
///     api_key_env: ANTHROPIC_API_KEY
///     default_model: claude-sonnet-4-5
///     price_per_million_input: 3
///     price_per_million_output: 15
/// ```
public struct ProviderConfig: Sendable, Hashable {
    /// The HTTP dialect a provider speaks.
    public enum Wire: String, Sendable, Hashable, CaseIterable {
        /// ollama's `/api/chat` (NDJSON).
        case ollama
        /// OpenAI Chat Completions and compatible gateways (`/chat/completions`, SSE).
        case openAIChat
        /// Anthropic Messages (`/v1/messages`, SSE).
        case anthropicMessages

        /// Reads a `wire:` value: the case names, and the spellings people use for them, in any
        /// case and with or without `-`/`_`: `openai`, `openai-compatible`, `openai-chat` →
        /// ``openAIChat``; `anthropic`, `anthropic-messages` → ``anthropicMessages``; `ollama`.
        public init?(spelling: String) {
            let key = String(spelling.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " })
            switch key {
            case "ollama": self = .ollama
            case "openai", "openaichat", "openaicompatible", "openaichatcompletions": self = .openAIChat
            case "anthropic", "anthropicmessages": self = .anthropicMessages
            default: return nil
            }
        }

        /// The wire format implementation.
        public var format: any WireFormat {
            switch self {
            case .ollama: return OllamaWire()
            case .openAIChat: return OpenAIChatWire()
            case .anthropicMessages: return AnthropicMessagesWire()
            }
        }
    }

    /// Unique name, used in aliases, logs and accounting (`[a-z0-9_-]`).
    public var name: String
    /// The dialect.
    public var wire: Wire
    /// API root: `http://127.0.0.1:11434` (ollama), `https://api.openai.com/v1` (OpenAI-compatible: include the
    /// version segment), `https://api.anthropic.com` (Anthropic).
    public var baseURL: String
    /// The NAME of the environment variable holding the API key (never the key itself); `nil` for none.
    public var apiKeyEnv: String?
    /// Model used when a request names none.
    public var defaultModel: String
    /// Context window to request (ollama only; other servers fix it per model).
    public var numCtx: Int?
    /// Price per million input tokens, for accounting (0 when unknown or free).
    public var pricePerMillionInput: Double
    /// Price per million output tokens.
    public var pricePerMillionOutput: Double

    /// Creates a provider record.
    /// - Parameters:
    ///   - name: unique name (`[a-z0-9_-]`).
    ///   - wire: dialect.
    ///   - baseURL: API root (`http://` or `https://`).
    ///   - apiKeyEnv: environment variable name holding the key, or `nil`.
    ///   - defaultModel: model used when a request names none.
    ///   - numCtx: ollama context window, or `nil` for the server default.
    ///   - pricePerMillionInput: price per million input tokens (default 0).
    ///   - pricePerMillionOutput: price per million output tokens (default 0).
    public init(
        name: String, wire: Wire, baseURL: String, apiKeyEnv: String? = nil, defaultModel: String,
        numCtx: Int? = nil, pricePerMillionInput: Double = 0, pricePerMillionOutput: Double = 0
    ) {
        self.name = name
        self.wire = wire
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.defaultModel = defaultModel
        self.numCtx = numCtx
        self.pricePerMillionInput = pricePerMillionInput
        self.pricePerMillionOutput = pricePerMillionOutput
    }

    /// The key, read from the environment at call time; `nil` when no variable is configured.
    /// - Throws: ``ProviderError`` `.authentication` when the variable is configured but unset or empty.
    public func apiKey(from environment: [String: String]) throws -> String? {
        guard let variable = apiKeyEnv else { return nil }
        guard let key = environment[variable], !key.isEmpty else {
            throw ProviderError(
                code: .authentication,
                message: "Provider '\(name)' reads its API key from the environment variable \(variable), which is "
                    + "not set. Export it (export \(variable)=...) in the environment that runs cmdop.",
                provider: name)
        }
        return key
    }
}
