/// A typed failure of a mesh operation, as callers and tools see it.
///
/// The codes mirror `cmdop.agent.v1.ErrorCode`; every message says what happened and, where there is
/// one, what to do about it.
public struct MeshError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of a failure. New codes can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }

        public static let machineOffline = Code("machine_offline")
        public static let notFound = Code("not_found")
        public static let ambiguous = Code("ambiguous")
        public static let permissionDenied = Code("permission_denied")
        public static let timeout = Code("timeout")
        public static let cancelled = Code("cancelled")
        public static let invalidArgument = Code("invalid_argument")
        public static let unauthenticated = Code("unauthenticated")
        public static let unavailable = Code("unavailable")
        public static let `internal` = Code("internal")
        public static let `protocol` = Code("protocol_error")

        /// Every known code, in wire order.
        public static let all: [Code] = [
            .machineOffline, .notFound, .ambiguous, .permissionDenied, .timeout, .cancelled,
            .invalidArgument, .unauthenticated, .unavailable, .internal, .protocol,
        ]

        public var description: String { name }
    }

    public var code: Code
    public var message: String
    /// For `.ambiguous`: the hostnames that matched.
    public var candidates: [String]

    public init(_ code: Code, _ message: String, candidates: [String] = []) {
        self.code = code
        self.message = message
        self.candidates = candidates
    }

    public var description: String { "\(code): \(message)" }
}
