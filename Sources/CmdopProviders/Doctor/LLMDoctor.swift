/// Checks that a provider works end to end, for `cmdop llm doctor [--provider NAME]`.
///
/// Checks, in order (a failure skips the checks that depend on it):
/// 1. **API key**: the configured environment variable is set.
/// 2. **models listed**: the endpoint answers its model-list request and serves the default model.
/// 3. **streamed reply**: a short prompt streams text back.
/// 4. **tool call round-trip**: the model calls a tool with parsed arguments, and accepts the tool result.
///
/// ```swift
/// let report = await LLMDoctor(transport: curl).check(config)
/// print(report)
/// ```
public struct LLMDoctor: Sendable {
    private let transport: any HTTPTransport
    private let environment: [String: String]
    private let timeouts: HTTPRequest.Timeouts

    /// Creates a doctor.
    /// - Parameters:
    ///   - transport: the HTTP transport.
    ///   - environment: where API keys are read.
    ///   - timeouts: per-request timeouts (default: 5 s connect, 60 s idle, 120 s total).
    public init(
        transport: any HTTPTransport, environment: [String: String],
        timeouts: HTTPRequest.Timeouts = HTTPRequest.Timeouts(connect: .seconds(5), idle: .seconds(60), total: .seconds(120))
    ) {
        self.transport = transport
        self.environment = environment
        self.timeouts = timeouts
    }

    /// The tool the round-trip check offers.
    public static let probeTool = ToolDefinition(
        name: "get_weather", description: "Get the current weather for a city",
        parameters: [
            "type": "object", "properties": ["city": ["type": "string"]], "required": ["city"],
        ])

    /// Runs every check against `config`.
    public func check(_ config: ProviderConfig) async -> DoctorReport {
        var report = DoctorReport(provider: config.name, baseURL: config.baseURL, checks: [])
        let provider = WireProvider(config: config, transport: transport, environment: environment, timeouts: timeouts)

        if let variable = config.apiKeyEnv {
            let present = (environment[variable].map { !$0.isEmpty }) ?? false
            report.checks.append(
                .init(
                    name: "API key", status: present ? .passed : .failed,
                    detail: present ? "\(variable) is set" : "\(variable) is not set",
                    fix: present ? nil : "export \(variable)=<your key> in the environment that runs cmdop",
                    duration: .zero))
            guard present else { return skipRest(report, after: "API key") }
        }

        let modelsStart = ContinuousClock.now
        do {
            let models = try await provider.listModels()
            let served = models.isEmpty
                || models.contains { $0 == config.defaultModel || $0.hasSuffix("/" + config.defaultModel) }
            report.checks.append(
                .init(
                    name: "models listed", status: served ? .passed : .failed,
                    detail: "\(models.count) model(s)" + (models.isEmpty ? "" : ": " + models.prefix(5).joined(separator: ", ")),
                    fix: served ? nil : "default_model '\(config.defaultModel)' is not served here; set default_model "
                        + "to one of the listed models" + (config.wire == .ollama ? " or run `ollama pull \(config.defaultModel)`" : ""),
                    duration: modelsStart.duration(to: .now)))
        } catch {
            let mapped = ProviderErrorMapping.map(error, provider: config.name)
            report.checks.append(
                .init(
                    name: "models listed", status: .failed, detail: mapped.message, fix: Self.fix(for: mapped, config),
                    duration: modelsStart.duration(to: .now)))
            if case .network = mapped.code.kind { return skipRest(report, after: "models listed") }
            if case .timeout = mapped.code.kind { return skipRest(report, after: "models listed") }
            if case .authentication = mapped.code.kind { return skipRest(report, after: "models listed") }
        }

        let streamStart = ContinuousClock.now
        do {
            let reply = try await provider.stream(
                ChatRequest(messages: [.user("Reply with one short greeting.")], temperature: 0, maxTokens: 16)
            ).collect()
            let ok = !reply.text.isEmpty
            let ttft = reply.usage.timeToFirstToken.map { ", first token after \(Int($0.seconds * 1000)) ms" } ?? ""
            report.checks.append(
                .init(
                    name: "streamed reply", status: ok ? .passed : .failed,
                    detail: ok ? "\(reply.usage.tokens.outputTokens) token(s)\(ttft): \(reply.text.prefix(60))"
                        : "the stream ended without text",
                    fix: ok ? nil : "the model returned no text; try another default_model",
                    duration: streamStart.duration(to: .now)))
        } catch {
            let mapped = ProviderErrorMapping.map(error, provider: config.name)
            report.checks.append(
                .init(
                    name: "streamed reply", status: .failed, detail: mapped.message, fix: Self.fix(for: mapped, config),
                    duration: streamStart.duration(to: .now)))
            return skipRest(report, after: "streamed reply")
        }

        report.checks.append(await toolRoundTrip(provider, config))
        return report
    }

    private func toolRoundTrip(_ provider: WireProvider, _ config: ProviderConfig) async -> DoctorReport.Check {
        let start = ContinuousClock.now
        let tools = [Self.probeTool]
        var messages: [ChatMessage] = [.user("Call the get_weather tool with city Paris.")]
        do {
            let first = try await provider.stream(
                ChatRequest(messages: messages, tools: tools, toolChoice: .required, temperature: 0, maxTokens: 64)
            ).collect()
            guard let call = first.toolCalls.first else {
                return .init(
                    name: "tool call round-trip", status: .failed,
                    detail: "the model answered with text instead of a tool call: \(first.text.prefix(60))",
                    fix: "use a model with tool support (ollama: `ollama show MODEL` lists `tools`); for llama.cpp "
                        + "start the server with --jinja and a chat template that renders tools",
                    duration: start.duration(to: .now))
            }
            guard call.name == Self.probeTool.name, call.arguments.json?["city"]?.stringValue != nil else {
                return .init(
                    name: "tool call round-trip", status: .failed,
                    detail: "the call came back as \(call.name)(\(call.arguments.text))",
                    fix: "the model does not follow tool schemas reliably; use a larger model", duration: start.duration(to: .now))
            }
            messages.append(.assistant(first.text, toolCalls: [call]))
            messages.append(.toolResult(for: call, content: "sunny, 21 °C"))
            _ = try await provider.stream(
                ChatRequest(messages: messages, tools: tools, temperature: 0, maxTokens: 32)
            ).collect()
            return .init(
                name: "tool call round-trip", status: .passed,
                detail: "\(call.name)(\(call.arguments.text)) parsed, tool result accepted", fix: nil,
                duration: start.duration(to: .now))
        } catch {
            let mapped = ProviderErrorMapping.map(error, provider: config.name)
            return .init(
                name: "tool call round-trip", status: .failed, detail: mapped.message,
                fix: Self.fix(for: mapped, config), duration: start.duration(to: .now))
        }
    }

    private func skipRest(_ report: DoctorReport, after name: String) -> DoctorReport {
        var report = report
        let all = ["API key", "models listed", "streamed reply", "tool call round-trip"]
        let done = Set(report.checks.map(\.name))
        for check in all.drop(while: { $0 != name }).dropFirst() where !done.contains(check) {
            report.checks.append(
                .init(name: check, status: .skipped, detail: "skipped after '\(name)' failed", fix: nil, duration: .zero))
        }
        return report
    }

    /// The fix for a failure.
    static func fix(for error: ProviderError, _ config: ProviderConfig) -> String {
        switch error.code.kind {
        case .network:
            return config.wire == .ollama
                ? "start the server (`ollama serve`) or correct base_url \(config.baseURL)"
                : "check that the server at \(config.baseURL) is running and reachable (proxy variables apply)"
        case .timeout:
            return "the server at \(config.baseURL) is too slow or unreachable; check it, or raise the timeouts"
        case .authentication:
            return "put a valid key into \(config.apiKeyEnv ?? "an environment variable named by api_key_env")"
        case .rateLimited:
            return "wait and retry, or configure a fallback provider"
        case .contextLengthExceeded:
            return "raise num_ctx or choose a model with a larger context window"
        case .badRequest:
            return "check default_model '\(config.defaultModel)', base_url and wire (\(config.wire.rawValue))"
        case .server:
            return "the server failed; check its logs"
        case .decoding:
            return "the server does not speak \(config.wire.rawValue); fix the wire setting or base_url"
        case .cancelled, .circuitOpen:
            return "run the doctor again"
        }
    }
}
