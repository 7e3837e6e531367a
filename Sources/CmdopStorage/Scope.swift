/// What an operator API key may do. `admin` implies every other scope.
public struct Scope: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    public static let machinesRead = Scope("machines:read")
    public static let machinesWrite = Scope("machines:write")
    public static let commandsExecute = Scope("commands:execute")
    public static let filesRead = Scope("files:read")
    public static let filesWrite = Scope("files:write")
    public static let schedulesManage = Scope("schedules:manage")
    public static let agentInvoke = Scope("agent:invoke")
    public static let permissionsManage = Scope("permissions:manage")
    public static let approvalsDecide = Scope("approvals:decide")
    public static let admin = Scope("admin")

    public static let all: [Scope] = [
        .machinesRead, .machinesWrite, .commandsExecute, .filesRead, .filesWrite, .schedulesManage,
        .agentInvoke, .permissionsManage, .approvalsDecide, .admin,
    ]

    /// Parses a scope name.
    /// - Throws: `StoreError` listing the valid names.
    public init(parsing text: String) throws {
        guard let known = Scope.all.first(where: { $0.rawValue == text }) else {
            throw StoreError("unknown scope '\(text)'; valid scopes: \(Scope.all.map(\.rawValue).joined(separator: ", "))")
        }
        self = known
    }

    public var description: String { rawValue }
    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Set where Element == Scope {
    /// Whether a key holding these scopes may act with `scope`.
    public func permits(_ scope: Scope) -> Bool { contains(.admin) || contains(scope) }
}

/// A storage failure or a refused change, worded for the operator.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
