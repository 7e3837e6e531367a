import CmdopIdentity
import Foundation

/// A request for an on-call human to allow one exact tool call.
///
/// It is bound to a hash of the tool, its canonical arguments and its targets: an approval of
/// `systemctl restart nginx` on web-1 cannot be spent on any other command or machine.
public struct Approval: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case pending, approved, denied, expired
    }

    public var id: String
    public var fleetID: String
    public var runID: String
    public var tool: String
    /// The arguments as canonical JSON (sorted keys), as shown to the approver.
    public var arguments: String
    public var targets: [String]
    /// Why the gate asked (the rule and reason).
    public var reason: String
    /// Who the run acts for (`operator:cmdop_ab12…`, `trigger:nightly`, `webhook:ci`).
    public var requestedBy: String
    public var requestedAt: Date
    public var expiresAt: Date
    public var status: Status
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionReason: String?
    /// SHA-256 over tool, arguments and targets.
    public var binding: String

    /// The binding hash of a tool call.
    public static func binding(tool: String, arguments: String, targets: [String]) -> String {
        let text = [tool, arguments, targets.map { $0.lowercased() }.sorted().joined(separator: ",")].joined(separator: "\n")
        return Crypto.sha256Hex(text)
    }

    /// Whether this approval allows exactly this call: approved, and bound to the same tool,
    /// arguments and targets. (Its deadline is for the decision; a decided approval keeps.)
    public func allows(tool: String, arguments: String, targets: [String]) -> Bool {
        status == .approved
            && Crypto.constantTimeEqual(Array(binding.utf8),
                                        Array(Self.binding(tool: tool, arguments: arguments, targets: targets).utf8))
    }
}

/// A refused approval decision, worded for the approver.
public struct ApprovalError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
