public import CmdopPermissions
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

    /// - Parameters:
    ///   - approvals: where `ask` decisions go; without it, `ask` is refused.
    ///   - onDecision: told of every decision (the run's audit log listens here).
    public init(policy: PermissionPolicy, context: GateContext = GateContext(home: "/"),
                approvals: OnCallApprovals? = nil, onDecision: @escaping @Sendable (Record) -> Void = { _ in }) {
        gate = PermissionGate(policy: policy, context: context)
        self.approvals = approvals
        self.onDecision = onDecision
    }

    /// Nil when the call may go ahead (allowed, or approved by a human); otherwise the outcome
    /// that tells the model why not.
    func refusal(for request: GateRequest, arguments: JSONValue) async -> ToolOutcome? {
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
                                                 targets: request.target.map { [$0] } ?? [], reason: verdict.reason)
            record(refusal == nil ? "ask_allowed" : "ask_denied", refusal?.content ?? verdict.reason)
            return refusal
        }
    }
}
