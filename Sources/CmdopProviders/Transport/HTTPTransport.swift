/// Sends HTTP requests and streams their responses; the seam between providers and the network.
///
/// The production implementation is `CurlHTTPTransport` (module `CmdopCurl`).
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns once the response head has arrived.
    ///
    /// The body streams afterwards; cancelling the task that iterates it aborts the transfer.
    /// - Throws: ``ProviderError`` with code `.network` (connect/resolve/TLS failure), `.timeout` (connect,
    ///   idle or total timeout) or `.cancelled` (the calling task was cancelled). HTTP error statuses are not
    ///   errors here: they come back as a response.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

extension HTTPTransport {
    /// Sends `request` and reads the whole body.
    /// - Returns: the status, headers and body bytes.
    /// - Throws: as ``send(_:)``, and errors while reading the body.
    public func fetch(_ request: HTTPRequest) async throws -> (status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        let response = try await send(request)
        let body = try await response.body.collect()
        return (response.status, response.headers, body)
    }
}
