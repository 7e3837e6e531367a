public import Foundation
public import JarvisApprovals
import CmdopProviders
import JarvisCore

/// Asks an on-call human through the durable approval store and waits for the decision.
///
/// The approval is stored before the wait begins; an approver decides it from anywhere (CLI, API).
/// No decision before the deadline means no.
public struct OnCallApprovals: Sendable {
    public let store: ApprovalStore
    public let fleetID: String
    public let runID: String
    /// Whom the run acts for; with self-approval forbidden, not the one who may approve.
    public let requestedBy: String
    /// How long a request may wait (the rule's, or the default).
    public let timeout: TimeInterval
    public let pollInterval: Duration
    /// Told (signed) when an approval is requested and when it is decided.
    public let notifier: SignedNotifier?
    /// Told of the same two moments in-process (`approval.requested`, `approval.decided`): the
    /// run's session and audit chain listen here.
    public let onChange: @Sendable (String, Approval) -> Void

    public init(store: ApprovalStore, fleetID: String, runID: String, requestedBy: String,
                timeout: TimeInterval = 600, pollInterval: Duration = .milliseconds(200),
                notifier: SignedNotifier? = nil, onChange: @escaping @Sendable (String, Approval) -> Void = { _, _ in }) {
        self.onChange = onChange
        self.store = store
        self.fleetID = fleetID
        self.runID = runID
        self.requestedBy = requestedBy
        self.timeout = timeout
        self.pollInterval = pollInterval
        self.notifier = notifier
    }

    private func notify(_ type: String, _ approval: Approval) async {
        onChange(type, approval)
        guard let notifier else { return }
        var data: [String: JSONValue] = [
            "approval_id": .string(approval.id), "run_id": .string(approval.runID), "tool": .string(approval.tool),
            "arguments": .string(approval.arguments), "targets": .array(approval.targets.map(JSONValue.string)),
            "reason": .string(approval.reason), "requested_by": .string(approval.requestedBy),
            "status": .string(approval.status.rawValue),
        ]
        if let decidedBy = approval.decidedBy { data["decided_by"] = .string(decidedBy) }
        if let why = approval.decisionReason { data["decision_reason"] = .string(why) }
        await notifier.send(type: type, data: .object(data))
    }

    /// Nil once an approver allowed exactly this call; otherwise the outcome that tells the model.
    /// - Parameter timeout: this request's own wait (its rule's), instead of the default.
    func obtain(tool: String, arguments: JSONValue, targets: [String], reason: String,
                timeout ruleTimeout: TimeInterval? = nil) async -> ToolOutcome? {
        let timeout = ruleTimeout ?? self.timeout
        let canonical = arguments.serialized()
        let binding = Approval.binding(tool: tool, arguments: canonical, targets: targets)
        let asked: Approval
        do {
            // A run resumed after a restart waits on the request it already made.
            if let prior = try store.latest(fleetID: fleetID, runID: runID, binding: binding) {
                asked = prior
            } else {
                asked = try store.request(fleetID: fleetID, runID: runID, tool: tool, arguments: canonical,
                                          targets: targets, reason: reason, requestedBy: requestedBy, timeout: timeout)
                await notify("approval.requested", asked)
            }
        } catch {
            return .failure("permission_denied: this needs an on-call approval and the request could not be stored (\(error))")
        }
        while true {
            if Task.isCancelled { return .failure("cancelled: the run stopped while approval \(asked.id) was pending") }
            _ = try? store.expireDue()
            guard let current = try? store.approval(asked.id, fleetID: fleetID) else {
                return .failure("permission_denied: approval \(asked.id) disappeared")
            }
            if current.status != .pending { await notify("approval.decided", current) }
            switch current.status {
            case .pending:
                try? await Task.sleep(for: pollInterval)
            case .approved:
                guard current.allows(tool: tool, arguments: canonical, targets: targets) else {
                    return .failure("permission_denied: approval \(asked.id) does not match this call")
                }
                return nil
            case .denied:
                let why = current.decisionReason.map { $0.isEmpty ? "" : ": \($0)" } ?? ""
                return .failure("permission_denied: \(current.decidedBy ?? "the on-call approver") denied approval \(asked.id)\(why)")
            case .expired:
                return .failure("permission_denied: nobody approved \(asked.id) within \(Int(timeout)) s, so it is denied")
            }
        }
    }
}
