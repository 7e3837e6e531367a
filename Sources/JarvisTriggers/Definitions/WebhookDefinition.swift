import Foundation
import JarvisWebhooks

/// A webhook from `Webhooks/NAME.yaml`: `POST /hooks/NAME`, verified, filtered, and turned into a
/// prompt for a run.
///
/// Secrets are read from the environment when the file loads and live only inside the verifier;
/// `description` never shows them.
public struct WebhookDefinition: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// At most `perMinute` accepted deliveries a minute, in bursts of up to `burst` (`rate_limit:`).
    public struct RateLimit: Sendable, Hashable {
        public var perMinute: Int
        public var burst: Int
        /// Creates a limit; `burst` defaults to `perMinute`.
        public init(perMinute: Int, burst: Int? = nil) {
            self.perMinute = max(perMinute, 1)
            self.burst = max(burst ?? perMinute, 1)
        }
    }

    /// `[a-z0-9_-]`, unique across webhook files; the route is `POST /hooks/NAME`.
    public let name: String
    /// The verification scheme.
    public let scheme: WebhookScheme
    /// The names of the environment variables the secrets came from (for display; never the values).
    public var secretEnvironmentNames: [String]
    /// How long a signed timestamp may be off (Standard Webhooks) and the least time a delivery id
    /// is remembered for de-duplication, in seconds (`replay_window`, default 300).
    public let replayWindow: TimeInterval
    /// The lower-cased header carrying the sender's delivery id; nil means no de-duplication.
    public var deliveryIDHeader: String?
    /// The largest body accepted, in bytes (`max_body`, default 1 MiB, at most 10 MiB).
    public let maxBody: Int
    /// Conditions every delivery must meet to start a run.
    public var filters: [WebhookFilter]
    /// The prompt template.
    public var prompt: PromptTemplate
    /// The machines the run addresses.
    public var targets: TargetSelection
    /// A model alias or name; nil for the runtime's default.
    public var model: String?
    /// Per-run limits.
    public var limits: RunLimits
    /// Accepted deliveries allowed per minute; nil for no limit.
    public var rateLimit: RateLimit?
    /// How long the HTTP layer may wait for the run's answer before replying (`sync.wait_seconds`,
    /// at most 120 s); nil to reply 202 at once.
    public var syncWait: Duration?
    /// The file it was loaded from; nil when built in code.
    public var file: String?
    /// Why the hook takes no deliveries (its route answers 503 with this), with the fix; nil when it is enabled.
    public let disabledReason: String?
    /// Checks signatures; holds the secrets. Nil while the hook is disabled.
    let verifier: WebhookVerifier?

    public static let defaultMaxBody = 1 << 20
    public static let maxBodyCap = 10 << 20

    /// Creates a definition in code (the loader builds them from YAML).
    public init(name: String, verification: WebhookVerification, prompt: PromptTemplate, targets: TargetSelection = .all,
                secretEnvironmentNames: [String] = [], replayWindow: TimeInterval = 300, deliveryIDHeader: String? = nil,
                maxBody: Int = WebhookDefinition.defaultMaxBody, filters: [WebhookFilter] = [], model: String? = nil,
                limits: RunLimits = RunLimits(), rateLimit: RateLimit? = nil, syncWait: Duration? = nil, file: String? = nil) {
        let scheme: WebhookScheme = switch verification {
        case .github: .github
        case .standardWebhooks: .standardWebhooks
        case .hmacSHA256: .hmacSHA256
        case .bearer: .bearer
        }
        self.init(name: name, scheme: scheme, verification: verification, missingSecrets: [], prompt: prompt, targets: targets,
                  secretEnvironmentNames: secretEnvironmentNames, replayWindow: replayWindow, deliveryIDHeader: deliveryIDHeader,
                  maxBody: maxBody, filters: filters, model: model, limits: limits, rateLimit: rateLimit, syncWait: syncWait, file: file)
    }

    /// A definition whose verification is nil when `missingSecrets` names variables that are not set:
    /// then it is disabled, and says which to set.
    init(name: String, scheme: WebhookScheme, verification: WebhookVerification?, missingSecrets: [String],
         prompt: PromptTemplate, targets: TargetSelection, secretEnvironmentNames: [String], replayWindow: TimeInterval,
         deliveryIDHeader: String?, maxBody: Int, filters: [WebhookFilter] = [], model: String? = nil,
         limits: RunLimits = RunLimits(), rateLimit: RateLimit? = nil, syncWait: Duration? = nil, file: String?) {
        self.name = name
        self.scheme = scheme
        self.secretEnvironmentNames = secretEnvironmentNames
        self.replayWindow = max(replayWindow, 1)
        self.deliveryIDHeader = (deliveryIDHeader ?? scheme.defaultDeliveryIDHeader)?.lowercased()
        self.maxBody = min(max(maxBody, 1), Self.maxBodyCap)
        self.filters = filters
        self.prompt = prompt
        self.targets = targets
        self.model = model
        self.limits = limits
        self.rateLimit = rateLimit
        self.syncWait = syncWait
        self.file = file
        if let verification, missingSecrets.isEmpty {
            verifier = WebhookVerifier(verification, tolerance: self.replayWindow)
            disabledReason = nil
        } else {
            verifier = nil
            let names = missingSecrets.isEmpty ? secretEnvironmentNames : missingSecrets
            let variables = names.count == 1 ? "the environment variable \(names[0]) is" : "the environment variables \(names.joined(separator: ", ")) are"
            disabledReason = "disabled: \(variables) not set for jarvis. Set \(names.count == 1 ? "it" : "them") (the secret "
                + "the sender signs with) in jarvis's environment and restart it\(file.map { ", or remove \($0)" } ?? "")."
        }
    }

    /// Whether the hook takes deliveries.
    public var isEnabled: Bool { disabledReason == nil }

    /// What an unauthenticated sender is told about a disabled hook: that it is off, not which
    /// variables or files are behind it (operators see ``disabledReason``).
    public var publicRefusal: String {
        "webhook '\(name)' is disabled on this server (a secret it needs is not set); its operators can see why with `cmdop webhooks list`"
    }

    /// `POST /hooks/NAME`.
    public var route: String { "/hooks/\(name)" }

    /// The name, route and scheme, with the secrets' variable names and never their values.
    public var description: String {
        let secrets = secretEnvironmentNames.isEmpty ? "" : " secrets from \(secretEnvironmentNames.joined(separator: ", "))"
        return "webhook \(name) (POST \(route), \(scheme.rawValue)\(secrets)\(isEnabled ? "" : ", disabled"))"
    }

    public var debugDescription: String { description }
}
