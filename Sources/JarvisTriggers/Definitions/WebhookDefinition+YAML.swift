import Foundation
import JarvisWebhooks
import Yams

/// Reading a webhook from YAML with strict validation.
extension WebhookDefinition {
    static let keys = [
        "name", "verify", "replay_window", "delivery_id_header", "max_body", "filters", "prompt", "targets", "model",
        "budget", "rate_limit", "sync",
    ]

    /// Parses one webhook file.
    ///
    /// Keys (unknown keys are rejected):
    /// - `name` (string `[a-z0-9_-]`, default: the file name); the route is `POST /hooks/NAME`.
    /// - `verify` (required): `scheme` (`github` | `standard-webhooks` | `hmac-sha256` | `bearer`) and
    ///   `secret_env: NAME` (the environment variable holding the secret; while it is unset the hook
    ///   loads disabled, see `disabledReason`); for standard-webhooks also
    ///   `secret_envs: [..]` (rotation) and `public_key_envs: [..]` (v1a); for hmac-sha256 `header`
    ///   (required), `prefix` (default none) and `encoding: hex | base64` (default hex).
    /// - `replay_window` (seconds, default 300, ≤ 7 days): timestamp tolerance and least de-duplication time.
    /// - `delivery_id_header` (default `x-github-delivery` for github, `webhook-id` for standard-webhooks,
    ///   otherwise none, which turns de-duplication off).
    /// - `max_body` (bytes, default 1048576, at most 10485760).
    /// - `filters` (list): `header: NAME` or `field: dot.path`, with `equals: V`, `in: [..]` or
    ///   (fields) `exists: true|false`.
    /// - `prompt` (required): a Mustache template over the payload and `headers`.
    /// - `targets` (required), `model`, `budget`: as for triggers.
    /// - `rate_limit`: `per_minute` (1–10000) and optional `burst`.
    /// - `sync`: `wait_seconds` (1–120).
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - file: the path used in errors; its stem is the default name.
    ///   - environment: the process environment the secrets are read from.
    /// - Throws: `DefinitionError` naming the file, line, key and fix.
    public static func parse(yaml: String, file: String, environment: [String: String]) throws -> WebhookDefinition {
        let reader = DefinitionReader(file: file)
        let root = try reader.root(of: yaml, emptyHint: "Add at least `verify:`, `prompt:` and `targets:`.")
        let entries = try reader.mapping(root, "", allowed: keys)
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let name = try reader.name(byName["name"]?.value, root: root, stem: stem, kind: "webhook")

        guard let verifyEntry = byName["verify"] else {
            throw reader.fail(root, "verify", "missing; add `verify:` with `scheme: github` and `secret_env: NAME_OF_THE_VARIABLE`.")
        }
        var verify = try VerifyReader(reader: reader, environment: environment).read(verifyEntry.value)
        guard let promptEntry = byName["prompt"] else {
            throw reader.fail(root, "prompt", "missing; add a `prompt:` template, e.g. \"Why did {{workflow_run.name}} fail?\".")
        }
        let prompt = try template(promptEntry.value, reader)
        guard let targetsEntry = byName["targets"] else {
            throw reader.fail(root, "targets", "missing; add `targets: all` or a list of machine names such as [ci-runner-1].")
        }
        let targets = try reader.targets(targetsEntry.value, "targets")

        var replayWindow: TimeInterval = 300
        if let entry = byName["replay_window"] {
            replayWindow = TimeInterval(try reader.integer(entry.value, "replay_window", in: 1...604_800, unit: "seconds"))
        }
        if let entry = byName["delivery_id_header"] {
            verify.deliveryIDHeader = try headerName(entry.value, "delivery_id_header", reader)
        }
        var maxBody = WebhookDefinition.defaultMaxBody
        if let entry = byName["max_body"] {
            maxBody = try reader.integer(entry.value, "max_body", in: 1...WebhookDefinition.maxBodyCap, unit: "bytes; 1 MiB is 1048576")
        }
        var definition = WebhookDefinition(
            name: name, scheme: verify.scheme, verification: verify.verification, missingSecrets: verify.missingNames,
            prompt: prompt, targets: targets, secretEnvironmentNames: verify.environmentNames, replayWindow: replayWindow,
            deliveryIDHeader: verify.deliveryIDHeader, maxBody: maxBody, file: file)
        if let entry = byName["filters"] { definition.filters = try filters(entry.value, reader) }
        if let entry = byName["model"] { definition.model = try reader.model(entry.value, "model") }
        if let entry = byName["budget"] { definition.limits = try reader.limits(entry.value, "budget") }
        if let entry = byName["rate_limit"] { definition.rateLimit = try rateLimit(entry.value, reader) }
        if let entry = byName["sync"] {
            for field in try reader.mapping(entry.value, "sync", allowed: ["wait_seconds"]) {
                definition.syncWait = .seconds(try reader.integer(field.value, field.path, in: 1...120, unit: "seconds"))
            }
        }
        return definition
    }

    /// Compiles the prompt, reporting a template error at its line in the file.
    private static func template(_ node: Node, _ reader: DefinitionReader) throws -> PromptTemplate {
        let text = try reader.string(node, "prompt")
        do {
            return try PromptTemplate(text)
        } catch let error as PromptTemplate.SyntaxError {
            let blockScalar = node.scalar.map { $0.style == .literal || $0.style == .folded } ?? false
            let line = (node.mark?.line ?? 1) + error.line - (blockScalar ? 0 : 1)
            throw DefinitionError(file: reader.file, line: line, key: "prompt",
                                  message: "not a valid Mustache template (template line \(error.line), column \(error.column)): "
                                      + "\(error.message).")
        }
    }

    static func headerName(_ node: Node, _ key: String, _ reader: DefinitionReader) throws -> String {
        let text = try reader.string(node, key)
        let token = text.utf8.allSatisfy { ($0 >= 0x21 && $0 <= 0x7E) && $0 != 0x3A }
        guard token else { throw reader.fail(node, key, "'\(text)' is not a header name; write it like X-Signature.") }
        return text.lowercased()
    }

    private static func filters(_ node: Node, _ reader: DefinitionReader) throws -> [WebhookFilter] {
        guard case .sequence(let sequence) = node else {
            throw reader.fail(node, "filters", "expected a list, e.g. `- header: X-GitHub-Event` with `equals: workflow_run`.")
        }
        return try sequence.enumerated().map { index, item in
            let key = "filters[\(index)]"
            let entries = try reader.mapping(item, key, allowed: ["header", "field", "equals", "in", "exists"])
            let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let subject: WebhookFilter.Subject
            switch (byName["header"], byName["field"]) {
            case (.some(let header), nil): subject = .header(try headerName(header.value, "\(key).header", reader))
            case (nil, .some(let field)):
                let path = try reader.string(field.value, "\(key).field")
                guard !path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                    throw reader.fail(field.value, "\(key).field", "'\(path)' is not a dot path; write it like workflow_run.conclusion.")
                }
                subject = .field(path)
            default:
                throw reader.fail(item, key, "each filter names exactly one of `header:` or `field:`.")
            }
            let conditions = entries.filter { ["equals", "in", "exists"].contains($0.name) }
            guard conditions.count == 1, let condition = conditions.first else {
                throw reader.fail(item, key, "each filter needs exactly one of `equals:`, `in: [..]` or `exists: true`.")
            }
            switch condition.name {
            case "equals":
                guard case .scalar(let scalar) = condition.value else {
                    throw reader.fail(condition.value, condition.path, "expected one value; use `in: [..]` for several.")
                }
                return WebhookFilter(subject, .equals(scalar.string))
            case "in":
                return WebhookFilter(subject, .oneOf(try reader.stringList(condition.value, condition.path, example: "[failure, timed_out]")))
            default:
                guard case .field = subject else {
                    throw reader.fail(condition.keyNode, condition.path, "`exists:` applies to `field:` filters; for a header use `equals:` or `in:`.")
                }
                return WebhookFilter(subject, .exists(try reader.bool(condition.value, condition.path)))
            }
        }
    }

    private static func rateLimit(_ node: Node, _ reader: DefinitionReader) throws -> RateLimit {
        var perMinute: Int?
        var burst: Int?
        for entry in try reader.mapping(node, "rate_limit", allowed: ["per_minute", "burst"]) {
            if entry.name == "per_minute" { perMinute = try reader.integer(entry.value, entry.path, in: 1...10_000) }
            if entry.name == "burst" { burst = try reader.integer(entry.value, entry.path, in: 1...10_000) }
        }
        guard let perMinute else { throw reader.fail(node, "rate_limit.per_minute", "missing; add e.g. `per_minute: 60`.") }
        return RateLimit(perMinute: perMinute, burst: burst)
    }
}
