import CmdopProviders
import CmdopStorage
import Foundation
import Hummingbird
import JarvisApprovals

extension JarvisAPI {
    func registerApprovals(on router: Router<BasicRequestContext>) {
        router.get("/v1/approvals") { request, _ in
            _ = try await authenticator.authenticate(request, scope: .approvalsDecide)
            _ = try service.approvals.expireDue()
            return JSONResponse.ok(["approvals": .array(try service.approvals.pending(fleetID: fleetID).map(Self.json))])
        }
        router.post("/v1/approvals/:id/approve") { request, context in try await decide(request, context, approve: true) }
        router.post("/v1/approvals/:id/deny") { request, context in try await decide(request, context, approve: false) }
    }

    private func decide(_ request: Request, _ context: BasicRequestContext, approve: Bool) async throws -> Response {
        let principal = try await authenticator.authenticate(request, scope: .approvalsDecide)
        let id = try context.parameters.require("id")
        var request = request
        let reason = try await request.jsonObject()["reason"]?.stringValue ?? ""
        do {
            let approval = try service.approvals.decide(id, fleetID: fleetID, approve: approve, by: principal.actor, reason: reason)
            return JSONResponse.ok(Self.json(approval))
        } catch let error as ApprovalError {
            let missing = (try? service.approvals.approval(id, fleetID: fleetID)) == nil
            throw APIError(missing ? .notFound : .conflict, error.message)
        }
    }

    static func json(_ approval: Approval) -> JSONValue {
        let iso = ISO8601DateFormatter()
        var fields: [String: JSONValue] = [
            "id": .string(approval.id), "run_id": .string(approval.runID), "tool": .string(approval.tool),
            "arguments": (try? JSONValue(parsing: approval.arguments)) ?? .string(approval.arguments),
            "targets": .array(approval.targets.map(JSONValue.string)), "reason": .string(approval.reason),
            "requested_by": .string(approval.requestedBy), "requested_at": .string(iso.string(from: approval.requestedAt)),
            "expires_at": .string(iso.string(from: approval.expiresAt)), "status": .string(approval.status.rawValue),
        ]
        if let by = approval.decidedBy { fields["decided_by"] = .string(by) }
        if let at = approval.decidedAt { fields["decided_at"] = .string(iso.string(from: at)) }
        if let why = approval.decisionReason, !why.isEmpty { fields["decision_reason"] = .string(why) }
        return .object(fields)
    }
}
