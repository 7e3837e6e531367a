import CmdopCore
import Foundation
import GRPCNIOTransportHTTP2

/// Where a relay listens, parsed from `http://host:port`, `https://host:port` or `host:port`.
///
/// Plaintext is allowed to loopback addresses only: identities and API keys never cross a network
/// unencrypted.
public struct RelayEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var useTLS: Bool
    /// Extra PEM trust roots for TLS (a private CA); the system store is used otherwise.
    public var trustRootsPEM: String?

    public init(host: String, port: Int, useTLS: Bool, trustRootsPEM: String? = nil) {
        self.host = host
        self.port = port
        self.useTLS = useTLS
        self.trustRootsPEM = trustRootsPEM
    }

    /// Parses a relay URL.
    /// - Throws: `MeshError(.invalidArgument)` naming the problem and the expected form.
    public init(parsing text: String) throws {
        var rest = text.trimmingWhitespace()
        var tls = false
        if rest.hasPrefix("https://") {
            tls = true
            rest.removeFirst("https://".count)
        } else if rest.hasPrefix("http://") {
            rest.removeFirst("http://".count)
        } else if rest.contains("://") {
            throw MeshError(.invalidArgument, "relay URL '\(text)' has an unknown scheme; use http://HOST:PORT or https://HOST:PORT")
        }
        while rest.hasSuffix("/") { rest.removeLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
              (1...65535).contains(port)
        else {
            throw MeshError(.invalidArgument, "relay URL '\(text)' has no port; use http://HOST:PORT (e.g. http://127.0.0.1:7443)")
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw MeshError(.invalidArgument, "relay URL '\(text)' has no host") }
        self.init(host: host, port: port, useTLS: tls)
        guard useTLS || isLoopback else {
            throw MeshError(.invalidArgument,
                            "refusing plaintext to \(host): a relay off this machine must use https:// (TLS)")
        }
    }

    /// True for 127.0.0.0/8, ::1 and localhost.
    public var isLoopback: Bool { Self.isLoopback(host) }

    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        // An IPv4 literal in 127.0.0.0/8 — not a name that merely starts with "127.".
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    public var description: String { "\(useTLS ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// The gRPC client transport for this endpoint.
    func transport() throws -> HTTP2ClientTransport.Posix {
        let target: any ResolvableTarget
        if host.contains(":") {
            target = .ipv6(address: host, port: port)
        } else if host.split(separator: ".").count == 4, host.split(separator: ".").allSatisfy({ Int($0) != nil }) {
            target = .ipv4(address: host, port: port)
        } else {
            target = .dns(host: host, port: port)
        }
        let security: HTTP2ClientTransport.Posix.TransportSecurity
        if useTLS {
            let roots = trustRootsPEM
            security = .tls { config in
                if let roots { config.trustRoots = .certificates([.bytes(Array(roots.utf8), format: .pem)]) }
            }
        } else {
            security = .plaintext
        }
        return try .http2NIOPosix(target: target, transportSecurity: security, config: .defaults { config in
            config.connection.maxIdleTime = nil
            config.backoff.initial = .milliseconds(100)
        })
    }
}
