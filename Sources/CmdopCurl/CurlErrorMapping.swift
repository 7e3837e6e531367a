import CCurl
import CmdopProviders
import Foundation

/// Turns libcurl result codes into ``ProviderError``s that say what to do.
enum CurlErrorMapping {
    /// The scheme, host and port of `url`, without user info, path or query (which may hold secrets).
    static func endpoint(of url: String) -> String {
        var rest = Substring(url)
        var scheme = ""
        if let range = rest.range(of: "://") {
            scheme = String(rest[..<range.upperBound])
            rest = rest[range.upperBound...]
        }
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return scheme + rest
    }

    static func map(_ code: CURLcode, url: String, connected: Bool, timeouts: HTTPRequest.Timeouts) -> ProviderError {
        let endpoint = endpoint(of: url)
        let cause = "curl \(code.rawValue): " + String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return ProviderError(
                code: .network,
                message: "Could not resolve the host of \(endpoint). Check base_url and DNS (and the proxy "
                    + "variables if one is set).", cause: cause)
        case CURLE_COULDNT_CONNECT:
            return ProviderError(
                code: .network,
                message: "Could not connect to \(endpoint): nothing accepted the connection. Is the server running "
                    + "(for ollama: `ollama serve`)? Check base_url.", cause: cause)
        case CURLE_OPERATION_TIMEDOUT:
            if !connected {
                return ProviderError(
                    code: .timeout,
                    message: "Connecting to \(endpoint) took longer than \(describe(timeouts.connect)). Check that the "
                        + "host is reachable from here (firewall, VPN, proxy).", cause: cause)
            }
            return ProviderError(
                code: .timeout,
                message: "The call to \(endpoint) took longer than its total timeout of \(describe(timeouts.total)). "
                    + "Ask for a shorter reply or raise the timeout.", cause: cause)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return ProviderError(
                code: .network,
                message: "TLS with \(endpoint) failed: its certificate is not trusted by the system CA store or the "
                    + "handshake failed. Install the CA (e.g. a company proxy's) into the system store; verification "
                    + "is never switched off.", cause: cause)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_HTTP2_STREAM,
            CURLE_HTTP2:
            return ProviderError(
                code: .network,
                message: "The connection to \(endpoint) broke before the reply was complete. It is retried when no "
                    + "output was delivered yet; if it keeps happening, check the server and any proxy in between.",
                cause: cause)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return ProviderError(
                code: .badRequest, message: "The URL for \(endpoint) is malformed. Check base_url.", cause: cause)
        default:
            return ProviderError(
                code: .network, message: "The HTTP transfer to \(endpoint) failed. Retry; check the server and network.",
                cause: cause)
        }
    }

    static func idleTimeout(url: String, idle: Duration) -> ProviderError {
        ProviderError(
            code: .timeout,
            message: "\(endpoint(of: url)) sent nothing for \(describe(idle)) in the middle of the reply. The server "
                + "may be overloaded or stuck; the call is retried when no output was delivered yet.")
    }

    static func describe(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds < 1 ? "\(Int(seconds * 1000)) ms" : "\(Int(seconds)) s"
    }
}
