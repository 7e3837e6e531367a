public import CmdopPermissions
public import Foundation
import CmdopProviders
import JarvisCore

/// jarvis's own permission gate over its tools, enforced in code before anything reaches the relay.
/// The receiving machine's gate decides again: both must allow.
public struct JarvisGate: Sendable {
    /// One decision, for the audit log: the tool, target, verdict and the rule behind it.
    public struct Record: Sendable, Equatable {
        public var tool: String
        public var target: String
        /// `allow`, `deny`, `ask_allowed` or `ask_denied`.
        public var decision: String
        public var source: String
        public var rule: String?
        public var reason: String
    }

    let gate: PermissionGate
    let approvals: OnCallApprovals?
    let onDecision: @Sendable (Record) -> Void
    /// The machines this run may touch (names or prefixes, from a trigger's or webhook's `targets`);
    /// nil for any machine of the fleet.
    let targets: [String]?
    /// How long an approval may wait, per `ask` rule (the rule as written); others use the default.
    let askTimeouts: [String: TimeInterval]

    /// - Parameters:
    ///   - approvals: where `ask` decisions go; without it, `ask` is refused.
    ///   - onDecision: told of every decision (the run's audit log listens here).
    ///   - targets: the machines this run may touch (names or prefixes); nil for all.
    public init(policy: PermissionPolicy, context: GateContext = GateContext(home: "/"),
                approvals: OnCallApprovals? = nil, targets: [String]? = nil, askTimeouts: [String: TimeInterval] = [:],
                onDecision: @escaping @Sendable (Record) -> Void = { _ in }) {
        self.askTimeouts = askTimeouts
        gate = PermissionGate(policy: policy, context: context)
        self.approvals = approvals
        self.targets = targets.map { $0.map { $0.lowercased() } }
        self.onDecision = onDecision
    }

    /// Whether `host` is among this run's targets.
    func covers(_ host: String) -> Bool {
        guard let targets else { return true }
        let host = host.lowercased()
        return targets.contains { host == $0 || host.hasPrefix($0) }
    }

    /// The pure decision alone, for calls that cannot wait for a human (a machine's ask loop
    /// calling its own tools): nil when allowed; otherwise why not. `ask` counts as a refusal.
    func screen(_ request: GateRequest) -> String? {
        if let host = request.target, !covers(host) {
            return "\(host) is not among this run's targets (\(targets?.joined(separator: ", ") ?? ""))"
        }
        let verdict = gate.decide(request)
        let decision = switch verdict.decision {
        case .allow: "allow"
        case .deny: "deny"
        case .ask: "ask_denied"
        }
        onDecision(Record(tool: request.tool, target: request.target ?? "", decision: decision,
                          source: verdict.source.rawValue, rule: verdict.rule, reason: verdict.reason))
        switch verdict.decision {
        case .allow: return nil
        case .deny: return "jarvis's permissions refuse this (\(verdict.reason))"
        case .ask: return "this needs an on-call approval (\(verdict.reason)); inside an ask nobody can give one — ask jarvis to run it with run_command instead"
        }
    }

    /// Nil when the call may go ahead (allowed, or approved by a human); otherwise the outcome
    /// that tells the model why not.
    func refusal(for request: GateRequest, arguments: JSONValue) async -> ToolOutcome? {
        if let host = request.target, !covers(host) {
            onDecision(Record(tool: request.tool, target: host, decision: "deny", source: "targets", rule: nil,
                              reason: "not among this run's targets"))
            return .failure("permission_denied: \(host) is not among this run's targets (\(targets?.joined(separator: ", ") ?? "")); work only on those")
        }
        let verdict = gate.decide(request)
        func record(_ decision: String, _ reason: String = verdict.reason) {
            onDecision(Record(tool: request.tool, target: request.target ?? "", decision: decision,
                              source: verdict.source.rawValue, rule: verdict.rule, reason: reason))
        }
        switch verdict.decision {
        case .allow:
            record("allow")
            return nil
        case .deny:
            record("deny")
            return .failure("permission_denied: jarvis's permissions refuse this (\(verdict.reason))")
        case .ask:
            guard let approvals else {
                record("ask_denied", verdict.reason + "; no approvers for this run")
                return .failure("permission_denied: this needs an on-call approval (\(verdict.reason)), and this run has no approvers")
            }
            let refusal = await approvals.obtain(tool: request.tool, arguments: arguments,
                                                 targets: request.target.map { [$0] } ?? [], reason: verdict.reason,
                                                 timeout: verdict.rule.flatMap { askTimeouts[$0] })
            record(refusal == nil ? "ask_allowed" : "ask_denied", refusal?.content ?? verdict.reason)
            return refusal
        }
    }
}
