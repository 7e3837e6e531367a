/// A failed model call, with a message that says what happened and what to do about it.
///
/// Messages never contain an API key, an authorization header or a request body.
///
/// ```swift
/// do { _ = try await provider.complete(request) }
/// catch let error as ProviderError where error.code == .authentication { print(error.message) }
/// ```
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of a failure. New categories may be added, so `switch` over ``kind`` with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The categories as an enum, for switching.
        public enum Kind: Sendable, Hashable {
            case authentication
            case rateLimited(retryAfter: Duration?)
            case contextLengthExceeded
            case badRequest
            case server(status: Int)
            case network
            case timeout
            case decoding
            case cancelled
            case circuitOpen(retryAfter: Duration)
        }

        /// The category.
        public let kind: Kind

        private init(_ kind: Kind) { self.kind = kind }

        /// The key is missing, wrong or lacks permission (HTTP 401/403).
        public static let authentication = Code(.authentication)
        /// Too many requests (HTTP 429, Anthropic 529 overloaded); `retryAfter` from the `retry-after` header.
        public static func rateLimited(retryAfter: Duration?) -> Code { Code(.rateLimited(retryAfter: retryAfter)) }
        /// The conversation is longer than the model's context window.
        public static let contextLengthExceeded = Code(.contextLengthExceeded)
        /// The server rejected the request as malformed (HTTP 400/404/422): retrying will not help.
        public static let badRequest = Code(.badRequest)
        /// The server failed (HTTP 5xx) or reported an error inside the stream.
        public static func server(status: Int) -> Code { Code(.server(status: status)) }
        /// The connection failed or broke.
        public static let network = Code(.network)
        /// A connect, idle-gap or total timeout expired.
        public static let timeout = Code(.timeout)
        /// The reply could not be decoded.
        public static let decoding = Code(.decoding)
        /// The caller cancelled the call.
        public static let cancelled = Code(.cancelled)
        /// The circuit breaker for the endpoint is open after repeated failures.
        public static func circuitOpen(retryAfter: Duration) -> Code { Code(.circuitOpen(retryAfter: retryAfter)) }

        /// The category's name without its payload, e.g. `server` for `server(status: 503)`.
        public var name: String {
            switch kind {
            case .authentication: return "authentication"
            case .rateLimited: return "rateLimited"
            case .contextLengthExceeded: return "contextLengthExceeded"
            case .badRequest: return "badRequest"
            case .server: return "server"
            case .network: return "network"
            case .timeout: return "timeout"
            case .decoding: return "decoding"
            case .cancelled: return "cancelled"
            case .circuitOpen: return "circuitOpen"
            }
        }

        public var description: String {
            switch kind {
            case .authentication: return "authentication"
            case .rateLimited: return "rateLimited"
            case .contextLengthExceeded: return "contextLengthExceeded"
            case .badRequest: return "badRequest"
            case .server(let status): return "server(\(status))"
            case .network: return "network"
            case .timeout: return "timeout"
            case .decoding: return "decoding"
            case .cancelled: return "cancelled"
            case .circuitOpen: return "circuitOpen"
            }
        }

        /// Whether two codes are the same category, ignoring payloads such as `retryAfter` or `status`.
        public func isSameCategory(as other: Code) -> Bool { name == other.name }
    }

    /// The category.
    public let code: Code
    /// What happened and what to do, for a person.
    public let message: String
    /// The provider that failed, when known.
    public let provider: String?
    /// A short description of the underlying cause (never a secret).
    public let cause: String?

    /// Creates an error.
    public init(code: Code, message: String, provider: String? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.provider = provider
        self.cause = cause
    }

    /// Whether a retry of the same request may succeed.
    public var isRetryable: Bool {
        switch code.kind {
        case .rateLimited, .server, .network, .timeout: return true
        case .authentication, .contextLengthExceeded, .badRequest, .decoding, .cancelled, .circuitOpen: return false
        }
    }

    /// The delay the server asked for, when it named one.
    public var retryAfter: Duration? {
        switch code.kind {
        case .rateLimited(let delay): return delay
        case .circuitOpen(let delay): return delay
        default: return nil
        }
    }

    public var description: String {
        var text = message
        if let cause { text += " (\(cause))" }
        return text
    }
}

extension ProviderError {
    /// The error for a caller that cancelled.
    public static func cancelled(provider: String? = nil) -> ProviderError {
        ProviderError(code: .cancelled, message: "The model call was cancelled by the caller.", provider: provider)
    }
}
