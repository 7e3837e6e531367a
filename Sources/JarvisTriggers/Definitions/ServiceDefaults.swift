import Foundation
import Yams

/// `jarvis.yaml`, next to jarvis's identity: the defaults every run starts from (a run, trigger or
/// webhook may set its own budget) and how approvals behave. Every key is optional; unknown keys
/// are errors that name the file, line and key.
///
/// ```yaml
/// budget:            # max_turns 1–50, max_tokens, max_cost, timeout (seconds, 1–600)
///   max_turns: 10
///   timeout: 300
/// approvals:
///   timeout: 600         # seconds an approval waits before it denies
///   rule_timeouts:       # per ask rule of jarvis's permissions.yaml, as written there
///     "run_command(web-*:systemctl restart *)": 120
///   self_approval: false # may the key that started a run approve its asks?
///   notify:              # a signed POST (X-Cmdop-Signature) when one is requested or decided
///     url: https://hooks.example.com/cmdop
///     secret_env: CMDOP_APPROVALS_SECRET
/// ```
public struct ServiceDefaults: Sendable, Equatable {
    public var budget = RunLimits()
    public var approvalTimeout: TimeInterval = 600
    /// Per `ask` rule (as written in jarvis's permissions.yaml), its approvals' wait.
    public var ruleTimeouts: [String: TimeInterval] = [:]
    public var selfApproval = false
    public var notifyURL: String?
    /// The notification secret, read from the environment variable the file names.
    public var notifySecret: String?

    public init() {}

    /// The defaults in the file at `path`; all defaults when there is no file.
    /// - Throws: `DefinitionError` naming the file, line and key.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServiceDefaults {
        guard let data = FileManager.default.contents(atPath: path) else { return ServiceDefaults() }
        let reader = DefinitionReader(file: path)
        let root = try reader.root(of: String(decoding: data, as: UTF8.self), emptyHint: "Delete it, or set budget: or approvals:.")
        var defaults = ServiceDefaults()
        for entry in try reader.mapping(root, "", allowed: ["budget", "approvals"]) {
            if entry.name == "budget" {
                defaults.budget = try reader.limits(entry.value, entry.path)
                continue
            }
            for approval in try reader.mapping(entry.value, entry.path, allowed: ["timeout", "rule_timeouts", "self_approval", "notify"]) {
                switch approval.name {
                case "rule_timeouts":
                    guard case .mapping(let rules) = approval.value else {
                        throw reader.fail(approval.value, approval.path, "expected rules mapped to seconds, e.g. \"run_command(web-*:systemctl restart *)\": 120.")
                    }
                    for (rule, seconds) in rules {
                        let text = try reader.string(rule, approval.path)
                        defaults.ruleTimeouts[text] = TimeInterval(try reader.integer(seconds, approval.path + "." + text, in: 10...86_400, unit: "seconds"))
                    }
                case "timeout": defaults.approvalTimeout = TimeInterval(try reader.integer(approval.value, approval.path, in: 10...86_400, unit: "seconds"))
                case "self_approval": defaults.selfApproval = try reader.bool(approval.value, approval.path)
                default:
                    for notify in try reader.mapping(approval.value, approval.path, allowed: ["url", "secret_env"]) {
                        if notify.name == "url" {
                            let url = try reader.string(notify.value, notify.path)
                            guard url.hasPrefix("https://") || url.hasPrefix("http://127.0.0.1") || url.hasPrefix("http://localhost") else {
                                throw reader.fail(notify.value, notify.path, "must be an https:// URL (plain http only to this machine).")
                            }
                            defaults.notifyURL = url
                        } else {
                            defaults.notifySecret = try reader.environmentVariable(notify.value, notify.path, environment: environment).value
                        }
                    }
                    guard (defaults.notifyURL == nil) == (defaults.notifySecret == nil) else {
                        throw reader.fail(approval.value, approval.path, "needs both url and secret_env.")
                    }
                }
            }
        }
        return defaults
    }
}
