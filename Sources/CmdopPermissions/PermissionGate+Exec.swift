/// Programs seen at exec time: what the agent's supervisor checks for every `execve` in a
/// command's process tree, including those started by interpreters, `xargs`, `find -exec` and
/// copied binaries.
extension PermissionGate {
    /// The decision for one exec: `path` (the program's real path) run with `argv`.
    ///
    /// Only the floor and deny and ask rules apply: the command that started it was allowed as a
    /// whole, and its helpers (a pager, a compiler's stages) have no rules of their own. Nobody can
    /// be asked at run time, so an `ask` rule refuses. Rules meet the argv with the program as its
    /// path, as its basename, and as argv[0]'s basename (how `busybox` applets are named).
    public func decideExec(path: String, argv: [String], tool: String = "execute_command") -> GateDecision {
        let arguments = Array(argv.dropFirst())
        let name = CommandUnwrapper.program(path)
        if Launchers.isDynamicLoader(name) {
            return GateDecision(decision: .deny, source: .mode,
                                reason: "the dynamic loader run directly starts a program without an exec the supervisor could check")
        }
        // Launchers that run a program inside themselves (busybox, toybox) are peeled as the static
        // gate peels them; one used in a way the gate cannot follow is refused.
        let unwrapping = CommandUnwrapper.unwrap([name] + arguments)
        if let hidden = unwrapping.hidden {
            return GateDecision(decision: .deny, source: .mode, reason: "\(hidden) (at exec)")
        }
        var forms = [[path] + arguments] + unwrapping.forms
        if let zero = argv.first, !zero.isEmpty, CommandUnwrapper.program(zero) != name {
            forms.append([CommandUnwrapper.program(zero)] + arguments)
        }
        if let reason = Floor.check(ShellCommand(words: [path] + arguments), unwrapped: unwrapping.forms.last ?? [name] + arguments,
                                    resolver: resolver) {
            return .floor(reason)
        }
        let request = GateRequest(tool: tool, command: forms[1].joined(separator: " "))
        let values = forms.map { $0.joined(separator: String(Glob.wordSeparator)) }
        if let (decision, _) = matchingRule(request, kind: .command, values: values), decision.decision != .allow {
            let why = decision.decision == .ask ? ", and nobody can be asked while a command runs" : ""
            return GateDecision(decision: .deny, source: .rule, rule: decision.rule, reason: "\(decision.reason) at exec\(why)")
        }
        return GateDecision(decision: .allow, source: .mode, reason: "no deny or ask rule names it")
    }

    /// The programs deny and ask command rules refuse whatever their arguments (`rm` of
    /// `execute_command(rm **)` or `execute_command(rm)`, not `systemctl` of `systemctl restart *`):
    /// the agent also knows them by identity, so an exact copy under another name is still refused.
    public var refusedProgramNames: Set<String> {
        var names: Set<String> = []
        for layer in compiled {
            for rule in layer where rule.rule.effect != .allow && rule.matchesTool("execute_command") {
                guard let word = rule.leadingLiteralWord, rule.rule.qualifier == nil,
                      let words = rule.rule.pattern?.split(whereSeparator: \.isWhitespace),
                      words.count == 1 || (words.count == 2 && words[1] == "**") else { continue }
                names.insert(CommandUnwrapper.program(word))
            }
        }
        return names
    }
}
