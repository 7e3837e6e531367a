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
        let forms = CommandUnwrapper.forms(of: part.words)
        if let reason = Floor.check(part, unwrapped: forms.last ?? part.words, resolver: resolver) {
            return .floor(reason)
        }
        let redirects = part.redirects.filter { !$0.isBenign }.flatMap { [$0.op, $0.target] }
        let separator = String(Glob.wordSeparator)
        let values = forms.map { ($0 + redirects).joined(separator: separator) }
        if let decision = ruleDecision(request, kind: .command, values: values) { return decision }
        let decision = modeDecision
        if decision.decision == .allow, let hidden = PermissionGate.hiddenWork(forms.last ?? part.words) {
            return GateDecision(decision: .ask, source: .mode, reason: "mode \(mode.rawValue): \(hidden); asking")
        }
        return decision
    }

    /// Why no rule can see what `words` will actually run, or `nil` when it can.
    ///
    /// A program name computed at run time (`$X`, `$(…)`, globs, braces) or a shell
    /// reading a script or standard input (`curl … | sh`, `source x`) hides the real
    /// commands, so an unmatched one is asked about even in bypass mode.
    static func hiddenWork(_ words: [String]) -> String? {
        guard let program = words.first else { return nil }
        if program.contains(where: { "$`*?[{".contains($0) }) {
            return "command name '\(program)' is only known at run time"
        }
        let name = CommandUnwrapper.program(program)
        if name == "source" || name == "." {
            return "'\(name)' runs a script the gate cannot see"
        }
        if CommandUnwrapper.shells.contains(name), CommandUnwrapper.nested(in: words).isEmpty {
            return "'\(name)' without -c runs a script the gate cannot see"
        }
        return nil
    }
}
