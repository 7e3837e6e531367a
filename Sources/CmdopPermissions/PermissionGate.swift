/// The permission gate: decides allow, ask or deny for one tool call, purely and quickly.
///
/// Order: the floor (never bypassed) → the best matching rule → the mode's default.
/// Layers are searched in order (first = most specific, e.g. session before global):
/// the first layer with any matching rule decides; within it `deny` beats `ask` beats
/// `allow`, and the reported rule is the most specific of the winning effect (most
/// literal characters; the first written on a tie). Commands are split into their
/// simple commands and every part must pass: the strictest part decides. A part whose
/// real work is hidden (a computed program name, `… | sh`, `source`, an unknown launcher
/// option — see `HiddenWork`) is never allowed by the mode or by a rule that does not name
/// it: the gate asks; text that cannot be parsed is denied.
///
/// Rules are compiled once in `init`; `decide` does no I/O and allocates little.
public struct PermissionGate: Sendable {
    /// The policy layers, most specific first.
    public let layers: [PermissionPolicy]
    /// What happens to requests no rule matched.
    public let mode: PermissionMode
    /// The environment facts paths and hosts are resolved with.
    public let context: GateContext
    let resolver: PathResolver
    let compiled: [[CompiledRule]]

    /// A gate over `layers` (first = most specific) with the effective `mode`.
    public init(layers: [PermissionPolicy], mode: PermissionMode, context: GateContext) {
        self.layers = layers
        self.mode = mode
        self.context = context
        let resolver = PathResolver(context: context)
        self.resolver = resolver
        compiled = layers.map { layer in layer.rules.map { CompiledRule($0, resolver: resolver) } }
    }

    /// A gate over a single policy, using the policy's own mode.
    public init(policy: PermissionPolicy, context: GateContext) {
        self.init(layers: [policy], mode: policy.mode, context: context)
    }

    /// The decision for `request`.
    public func decide(_ request: GateRequest) -> GateDecision {
        switch ToolKind.of(request) {
        case .command:
            return decideCommand(request)
        case .path:
            guard let path = request.path else { return decideSubject(request, kind: .path, values: []) }
            if let reason = Floor.check(path: path, access: FileAccess.of(request), resolver: resolver) {
                return .floor(reason)
            }
            return decideSubject(request, kind: .path, values: [resolver.resolve(path)])
        case .host:
            let values = request.target.map { [$0.lowercased()] } ?? []
            return decideSubject(request, kind: .host, values: values)
        }
    }

    /// Rules first, then the mode's default (the floor has already been checked).
    func decideSubject(_ request: GateRequest, kind: ToolKind, values: [String]) -> GateDecision {
        ruleDecision(request, kind: kind, values: values) ?? modeDecision
    }

    /// The decision of the first layer with a matching rule, or `nil` when none matches.
    func ruleDecision(_ request: GateRequest, kind: ToolKind, values: [String]) -> GateDecision? {
        matchingRule(request, kind: kind, values: values)?.decision
    }

    /// The first layer's winning rule for `request`, with its decision.
    func matchingRule(_ request: GateRequest, kind: ToolKind, values: [String]) -> (decision: GateDecision, rule: CompiledRule)? {
        let host = request.target ?? context.localHost
        for layer in compiled {
            var best: CompiledRule?
            for candidate in layer where candidate.matches(request, kind: kind, values: values, host: host) {
                if let current = best,
                   (candidate.rule.effect, candidate.specificity) <= (current.rule.effect, current.specificity) {
                    continue
                }
                best = candidate
            }
            if let best {
                let rule = best.rule
                return (GateDecision(decision: rule.effect, source: .rule, rule: rule.text, reason: "rule \(rule.effect) \(rule.text)"),
                        best)
            }
        }
        return nil
    }

    /// The mode's answer for a request no rule matched.
    var modeDecision: GateDecision {
        GateDecision(decision: mode.unmatchedDecision, source: .mode, reason: "mode \(mode.rawValue): no rule matched")
    }
}
