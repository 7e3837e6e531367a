public import CmdopPermissions
import CmdopProviders
import JarvisCore

/// jarvis's own permission gate over its tools, enforced in code before anything reaches the relay.
/// The receiving machine's gate decides again: both must allow.
public struct JarvisGate: Sendable {
    let gate: PermissionGate
    let approvals: OnCallApprovals?

    /// - Parameter approvals: where `ask` decisions go; without it, `ask` is refused.
    public init(policy: PermissionPolicy, context: GateContext = GateContext(home: "/"),
                approvals: OnCallApprovals? = nil) {
        gate = PermissionGate(policy: policy, context: context)
        self.approvals = approvals
    }

    /// Nil when the call may go ahead (allowed, or approved by a human); otherwise the outcome
    /// that tells the model why not.
    func refusal(for request: GateRequest, arguments: JSONValue) async -> ToolOutcome? {
        let verdict = gate.decide(request)
        switch verdict.decision {
        case .allow: return nil
        case .deny: return .failure("permission_denied: jarvis's permissions refuse this (\(verdict.reason))")
        case .ask:
            guard let approvals else {
                return .failure("permission_denied: this needs an on-call approval (\(verdict.reason)), and this run has no approvers")
            }
            return await approvals.obtain(tool: request.tool, arguments: arguments,
                                          targets: request.target.map { [$0] } ?? [], reason: verdict.reason)
        }
    }
}
