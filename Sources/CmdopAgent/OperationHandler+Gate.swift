import CmdopCore
import CmdopIdentity
import CmdopPermissions
import CmdopProtocol

extension OperationHandler {
    /// Decides `gateRequest` with the machine's policy and writes the `decision` audit line. A
    /// refusal is thrown; an allow returns the entry for the `result` line.
    func gate(_ gateRequest: GateRequest, tool: String, operation: String, input: String,
              request: Cmdop_Agent_V1_Request, workingDirectory: String? = nil) throws -> AuditEntry {
        try gated(gateRequest, tool: tool, operation: operation, input: input, request: request,
                  workingDirectory: workingDirectory).entry
    }

    /// `gate`, also returning the gate that decided (the exec supervisor goes on with the same one).
    func gated(_ gateRequest: GateRequest, tool: String, operation: String, input: String,
               request: Cmdop_Agent_V1_Request, workingDirectory: String? = nil) throws -> (entry: AuditEntry, gate: PermissionGate) {
        let policy: PermissionPolicy
        do {
            policy = try permissions.policy()
        } catch {
            audit.append(auditEntry(tool: tool, operation: operation, input: input, request: request,
                                    decision: "deny", mode: "strict", source: "mode", rule: nil,
                                    reason: "permissions file unreadable: \(error)"))
            throw MeshError(.permissionDenied, "\(hostname) refuses everything until its permissions file is fixed: \(error)")
        }
        let gate = PermissionGate(layers: [policy], mode: policy.mode,
                                  context: gateContext(workingDirectory: workingDirectory))
        let verdict = gate.decide(gateRequest)
        // A headless agent has nobody to ask: `ask` is refused at once.
        let decision = switch verdict.decision {
        case .allow: "allow"
        case .deny: "deny"
        case .ask: "ask_denied"
        }
        let reason = verdict.decision == .ask ? verdict.reason + " (no approver on a headless agent)" : verdict.reason
        var entry = auditEntry(tool: tool, operation: operation, input: input, request: request, decision: decision,
                               mode: policy.mode.rawValue, source: "\(verdict.source)", rule: verdict.rule,
                               reason: reason)
        audit.append(entry)
        guard verdict.decision == .allow else {
            throw MeshError(.permissionDenied, "\(hostname)'s permissions refuse this: \(reason)")
        }
        entry.event = "result"
        return (entry, gate)
    }

    /// The exec-time check for a command `gate` allowed, when the supervisor is on.
    func execSupervisor(_ gate: PermissionGate) -> ExecSupervisor? {
        superviseExecs ? ExecSupervisor(gate: gate) : nil
    }

    /// Writes an `exec_denied` line: the program, the rule, and the processes that led to it.
    func auditRefusal(_ refusal: ExecSupervisor.Refusal, request: Cmdop_Agent_V1_Request, more: Bool = false) {
        var entry = auditEntry(tool: "execute_command", operation: "exec", input: refusal.argv.joined(separator: " "),
                               request: request, decision: "deny", mode: "exec", source: refusal.source,
                               rule: refusal.rule,
                               reason: "\(refusal.program) refused at exec: \(refusal.reason) (process chain \(refusal.chain.joined(separator: " < ")))"
                                   + (more ? "; later refusals of this command are not written" : ""))
        entry.event = "exec_denied"
        audit.append(entry)
    }

    /// The gate's view of this machine: home, working directory, and cmdop's own files.
    func gateContext(workingDirectory: String?) -> GateContext {
        GateContext(home: homeDirectory, workingDirectory: workingDirectory, localHost: hostname,
                    protectedPaths: protectedPaths)
    }

    /// Writes the `result` line of an allowed operation, with the error when it failed.
    func finish(_ entry: AuditEntry, error: String? = nil) {
        var line = entry
        if let error { line.error = error }
        audit.append(line)
    }

    func auditEntry(tool: String, operation: String, input: String, request: Cmdop_Agent_V1_Request,
                    decision: String, mode: String, source: String, rule: String?, reason: String) -> AuditEntry {
        AuditEntry(
            ts: AuditLog.timestamp(), event: "decision", decision: decision, tool: tool, operation: operation,
            target: hostname, mode: mode, source: source, ruleID: rule.map(Crypto.sha256Hex) ?? "", reason: reason,
            inputDigest: Crypto.sha256Hex(input), askMs: 0, hostname: hostname, user: request.origin,
            requestID: request.requestID)
    }
}
