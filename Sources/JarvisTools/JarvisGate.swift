public import CmdopPermissions
import JarvisCore

/// jarvis's own permission gate over its tools, enforced in code before anything reaches the relay.
/// The receiving machine's gate decides again: both must allow.
public struct JarvisGate: Sendable {
    let gate: PermissionGate

    public init(policy: PermissionPolicy, context: GateContext = GateContext(home: "/")) {
        gate = PermissionGate(policy: policy, context: context)
    }

    /// Nil when `request` may go ahead; otherwise the outcome that tells the model why not.
    /// `ask` needs an on-call approval, which this loop cannot obtain yet, so it is refused.
    func refusal(for request: GateRequest) -> ToolOutcome? {
        let verdict = gate.decide(request)
        switch verdict.decision {
        case .allow: return nil
        case .deny: return .failure("permission_denied: jarvis's permissions refuse this (\(verdict.reason))")
        case .ask:
            return .failure("permission_denied: this needs an on-call approval (\(verdict.reason)), and none can be requested from this run")
        }
    }
}
