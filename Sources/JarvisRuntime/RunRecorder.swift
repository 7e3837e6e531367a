import CmdopProviders
public import JarvisAudit
public import JarvisCore
public import JarvisSessions
public import JarvisTools
public import JarvisApprovals
import CmdopIdentity
import Foundation

/// Writes one run into its session (for clients to follow and re-attach) and into the audit chain
/// (run → prompt → each model turn's output → the gate decisions, approvals and commands of the calls
/// it asked for → the next turn's output … → end), as it happens.
///
/// ```swift
/// let recorder = RunRecorder(sessions: sessions, audit: audit, sessionID: id, runID: run, actor: "operator:…")
/// try recorder.begin(prompt: text)
/// let gate = JarvisGate(policy: policy, onDecision: recorder.gateDecided)
/// let result = await loop.run(system: prompt, messages: [.user(text)], onEvent: recorder.observe)
/// try recorder.end(result)
/// ```
public struct RunRecorder: Sendable {
    public let sessions: SessionStore
    public let audit: AuditChain
    public let sessionID: String
    public let runID: String
    /// Who the run acts for.
    public let actor: String

    public init(sessions: SessionStore, audit: AuditChain, sessionID: String, runID: String, actor: String) {
        self.sessions = sessions
        self.audit = audit
        self.sessionID = sessionID
        self.runID = runID
        self.actor = actor
    }

    /// The user's message opens the run.
    public func begin(prompt: String) throws {
        try sessions.append(SessionEvent(kind: "user_message", payload: Self.json(["run_id": .string(runID), "text": .string(prompt)])),
                            to: sessionID)
        try audit.append(record("run_started", actor: actor))
        try audit.append(record("prompt", actor: actor, details: ["digest": Crypto.sha256Hex(prompt), "length": "\(prompt.count)"]))
    }

    /// Every run event goes to the session; finished tool calls also go to the audit chain.
    @Sendable public func observe(_ event: RunEvent) {
        switch event {
        case .token(let text):
            _ = try? sessions.append(SessionEvent(kind: "token", payload: Self.json(["text": .string(text)])), to: sessionID)
        case .toolStarted(let call):
            _ = try? sessions.append(SessionEvent(kind: "tool_started", payload: Self.json([
                "id": .string(call.id), "name": .string(call.name), "arguments": .string(call.arguments.text)])), to: sessionID)
        case .toolProgress(let call, let text):
            _ = try? sessions.append(SessionEvent(kind: "tool_progress", payload: Self.json([
                "id": .string(call.id), "name": .string(call.name), "text": .string(text)])), to: sessionID)
        case .toolFinished(let call, let outcome):
            _ = try? sessions.append(SessionEvent(kind: "tool_finished", payload: Self.json([
                "id": .string(call.id), "name": .string(call.name), "is_error": .bool(outcome.isError),
                "content": .string(outcome.content)])), to: sessionID)
            var details = ["tool": call.name, "input_digest": Crypto.sha256Hex(call.arguments.text),
                           "output_digest": Crypto.sha256Hex(outcome.content), "is_error": "\(outcome.isError)"]
            let result = try? JSONValue(parsing: outcome.content)
            if let code = result?["exit_code"]?.intValue { details["exit_code"] = "\(code)" }
            let target = call.arguments.json?["hostname"]?.stringValue ?? ""
            _ = try? audit.append(record("command", actor: "jarvis", target: target, details: details))
        case .usage(let usage):
            _ = try? sessions.append(SessionEvent(kind: "usage", payload: Self.json([
                "input_tokens": .number(Double(usage.tokens.inputTokens)),
                "output_tokens": .number(Double(usage.tokens.outputTokens)), "cost": .number(usage.cost)])), to: sessionID)
        case .modelTurn(let turn):
            // Before any call it asked for runs: the output that caused an effect precedes it in the chain.
            _ = try? audit.append(record("model_output", actor: "jarvis", details: [
                "turn": "\(turn.number)", "digest": Crypto.hex(Crypto.sha256(turn.canonicalBytes)),
                "tool_calls": turn.calls.map(\.name).joined(separator: ",")]))
        }
    }

    /// jarvis's gate decided a tool call (pass as `JarvisGate`'s `onDecision`).
    @Sendable public func gateDecided(_ decision: JarvisGate.Record) {
        var details = ["tool": decision.tool, "decision": decision.decision, "source": decision.source,
                       "reason": decision.reason]
        if let rule = decision.rule { details["rule_id"] = Crypto.sha256Hex(rule) }
        _ = try? audit.append(record("gate_decision", actor: "jarvis", target: decision.target, details: details))
    }

    /// An approval was requested or decided (pass as `OnCallApprovals`' `onChange`): clients see
    /// it in the session; the decision, who made it and when go into the audit chain.
    @Sendable public func approvalChanged(_ type: String, _ approval: Approval) {
        var fields: [String: JSONValue] = [
            "approval_id": .string(approval.id), "run_id": .string(runID), "tool": .string(approval.tool),
            "targets": .array(approval.targets.map(JSONValue.string)), "reason": .string(approval.reason),
            "status": .string(approval.status.rawValue),
            "expires_at": .string(ISO8601DateFormatter().string(from: approval.expiresAt)),
        ]
        if let by = approval.decidedBy { fields["decided_by"] = .string(by) }
        let kind = type == "approval.requested" ? "approval_requested" : "approval_decided"
        _ = try? sessions.append(SessionEvent(kind: kind, payload: Self.json(fields)), to: sessionID)
        var details = ["approval_id": approval.id, "tool": approval.tool, "status": approval.status.rawValue,
                       "binding": approval.binding]
        if let by = approval.decidedBy { details["decided_by"] = by }
        if let at = approval.decidedAt { details["decided_at"] = ISO8601DateFormatter().string(from: at) }
        if let why = approval.decisionReason, !why.isEmpty { details["decision_reason"] = why }
        _ = try? audit.append(record(kind, actor: approval.decidedBy ?? approval.requestedBy,
                                     target: approval.targets.joined(separator: ","), details: details))
    }

    /// The answer (as a digest; its turn's output is already recorded) and the spend close the run.
    public func end(_ result: RunResult) throws {
        let stop = "\(result.stop)"
        try audit.append(record("run_finished", actor: "jarvis", details: [
            "stop": stop, "turns": "\(result.turns)", "input_tokens": "\(result.inputTokens)",
            "output_tokens": "\(result.outputTokens)", "cost": "\(result.cost)", "answer_digest": Crypto.sha256Hex(result.answer)]))
        try sessions.append(SessionEvent(kind: "run_finished", payload: Self.json([
            "run_id": .string(runID), "stop": .string(stop), "answer": .string(result.answer)])), to: sessionID)
    }

    private func record(_ kind: String, actor: String, target: String = "", details: [String: String] = [:]) -> AuditRecord {
        AuditRecord(kind: kind, runID: runID, sessionID: sessionID, actor: actor, target: target, details: details)
    }

    private static func json(_ fields: [String: JSONValue]) -> String { JSONValue.object(fields).serialized() }
}
