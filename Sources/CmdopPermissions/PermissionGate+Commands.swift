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
        for part in parts {
            let decision = decidePart(part, request)
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

    /// One simple command: floor, then rules on every unwrapped form, then the mode.
    private func decidePart(_ part: ShellCommand, _ request: GateRequest) -> GateDecision {
        if let reason = Floor.check(part, resolver: resolver) { return .floor(reason) }
        let redirects = part.redirects.filter { !$0.isBenign }.flatMap { [$0.op, $0.target] }
        let separator = String(Glob.wordSeparator)
        let forms = CommandUnwrapper.forms(of: part.words)
        let values = forms.map { ($0 + redirects).joined(separator: separator) }
        if let decision = ruleDecision(request, kind: .command, values: values) { return decision }
        let decision = modeDecision
        if decision.decision == .allow, let program = forms.last?.first, PermissionGate.isComputed(program) {
            return GateDecision(
                decision: .ask, source: .mode,
                reason: "mode \(mode.rawValue): command name '\(program)' is only known at run time")
        }
        return decision
    }

    /// Whether a program word is computed when the shell runs it (`$X`, `$(…)`, globs, braces),
    /// so no rule can be matched against what actually runs.
    static func isComputed(_ program: String) -> Bool {
        program.contains(where: { "$`*?[{".contains($0) })
    }
}
