/// Command requests: split into parts, each part through floor → rules → mode, strictest wins.
extension PermissionGate {
    /// The decision for a command request.
    func decideCommand(_ request: GateRequest) -> GateDecision {
        guard let text = request.command else { return decideSubject(request, kind: .command, values: []) }
        if let name = ForkBombDetector.find(in: text) {
            return .floor("fork bomb (function '\(name)' spawns copies of itself)")
        }
        let parts: [ShellCommand]
        do {
            parts = try ShellSplitter.commands(text)
        } catch {
            return .unparseable(error.problem)
        }
        guard !parts.isEmpty else { return decideSubject(request, kind: .command, values: [""]) }
        var strictest: (decision: GateDecision, part: ShellCommand)?
        var written: Set<String> = []
        for part in parts {
            let unwrapping = CommandUnwrapper.unwrap(part.words)
            let decision = decidePart(part, unwrapping, request, written: written)
            written.formUnion(HiddenWork.writes(of: part, unwrapped: unwrapping.forms.last ?? part.words))
            if let current = strictest?.decision,
               (decision.decision, decision.sourceRank) <= (current.decision, current.sourceRank) {
                continue
            }
            strictest = (decision, part)
        }
        guard var decision = strictest?.decision, let part = strictest?.part else { return modeDecision }
        if parts.count > 1 { decision.reason += " (in '\(part.text)')" }
        return decision
    }

    /// One simple command: floor, then rules on every unwrapped form, then the mode. Work the gate
    /// cannot see is never allowed by the mode, nor by a rule that does not name it.
    private func decidePart(_ part: ShellCommand, _ unwrapping: CommandUnwrapper.Unwrapping, _ request: GateRequest,
                            written: Set<String>) -> GateDecision {
        let forms = unwrapping.forms
        if let reason = Floor.check(part, unwrapped: forms.last ?? part.words, resolver: resolver) {
            return .floor(reason)
        }
        let redirects = part.redirects.filter { !$0.isBenign }.flatMap { [$0.op, $0.target] }
        let separator = String(Glob.wordSeparator)
        let values = forms.map { ($0 + redirects).joined(separator: separator) }
        let hidden = HiddenWork.reason(unwrapping, written: written)
        if let (decision, rule) = matchingRule(request, kind: .command, values: values) {
            guard decision.decision == .allow, let hidden else { return decision }
            let programs = Set(forms.compactMap(\.first))
            if let word = rule.leadingLiteralWord, programs.contains(word) { return decision }
            let program = unwrapping.program ?? ""
            return GateDecision(decision: .ask, source: .rule, rule: rule.rule.text,
                                reason: "\(decision.reason) matches, but \(hidden); asking (only a rule naming it allows it, "
                                    + "e.g. execute_command(\(program) …))")
        }
        let decision = modeDecision
        if decision.decision == .allow, let hidden {
            return GateDecision(decision: .ask, source: .mode, reason: "mode \(mode.rawValue): \(hidden); asking")
        }
        return decision
    }
}
