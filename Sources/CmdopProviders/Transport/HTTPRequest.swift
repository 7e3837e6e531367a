/// An HTTP request as a provider hands it to an ``HTTPTransport``.
public struct HTTPRequest: Sendable, Hashable, CustomStringConvertible {
    /// Timeouts a transport enforces for one request.
    public struct Timeouts: Sendable, Hashable {
        /// Time to establish the connection (TCP and TLS).
        public var connect: Duration
        /// Longest silence allowed between two received chunks (including before the first byte).
        public var idle: Duration
        /// Longest time the whole exchange may take.
        public var total: Duration

        /// Creates timeouts.
        public init(connect: Duration = .seconds(10), idle: Duration = .seconds(120), total: Duration = .seconds(600)) {
            self.connect = connect
            self.idle = idle
            self.total = total
        }
    }

    /// `GET`, `POST`, ...
    public var method: String
    /// Absolute URL.
    public var url: String
    /// Header fields; names are sent as given.
    public var headers: [(name: String, value: String)]
    /// Body bytes (empty for none).
    public var body: [UInt8]
    /// Timeouts for this request.
    public var timeouts: Timeouts

    /// Creates a request.
    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeouts: Timeouts = Timeouts()
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
    }

    /// Header names whose values are secrets and are never printed.
    public static let sensitiveHeaderNames: Set<String> = [
        "authorization", "x-api-key", "api-key", "proxy-authorization", "cookie", "x-goog-api-key",
    ]

    /// Method, URL and header names with secret values redacted; never the body.
    public var description: String {
        let shown = headers.map { header in
            Self.sensitiveHeaderNames.contains(header.name.lowercased()) ? "\(header.name): <redacted>"
                : "\(header.name): \(header.value)"
        }
        return "\(method) \(url) [\(shown.joined(separator: ", "))] body \(body.count) bytes"
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.timeouts == rhs.timeouts
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
    }
}
