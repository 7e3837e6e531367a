public import CmdopProviders
public import Logging
import Synchronization

/// The production ``HTTPTransport``: libcurl's multi interface on one dedicated thread.
///
/// - Many concurrent transfers share that thread; an idle stream costs no thread.
/// - Body chunks reach the reader through an `AsyncThrowingStream`; when the reader falls more than
///   `maxBufferedBytes` behind, the transfer is paused (no data is dropped) and resumed as it catches up.
/// - Timeouts: connect (`CURLOPT_CONNECTTIMEOUT_MS`), total (`CURLOPT_TIMEOUT_MS`), and the idle gap between
///   chunks (own millisecond timer).
/// - Cancelling the task waiting for the head or iterating the body aborts the transfer at the loop's next
///   wake-up, which the cancellation itself triggers.
/// - TLS verifies against the system CA store; proxies come from the usual environment variables
///   (`https_proxy`, `no_proxy`, ...), as libcurl does by default, except for loopback URLs (127.x, localhost,
///   ::1), which no proxy can reach; `CURLOPT_NOSIGNAL` is set.
/// - Nothing logged contains a header value, a body, a query string or user info.
///
/// ```swift
/// try await withCurlTransport { http in
///     let provider = WireProvider(config: config, transport: http)
///     ...
/// }
/// ```
public final class CurlHTTPTransport: HTTPTransport {
    private let loop: CurlMultiLoop
    private let maxBufferedBytes: Int

    /// Starts the transport's thread.
    /// - Parameters:
    ///   - maxBufferedBytes: unread body bytes per transfer before it is paused (default 4 MiB).
    ///   - logger: receives one debug line per finished transfer; `nil` logs nothing.
    public init(maxBufferedBytes: Int = 4 << 20, logger: Logger? = nil) {
        self.maxBufferedBytes = max(64 * 1024, maxBufferedBytes)
        self.loop = CurlMultiLoop(logger: logger)
    }

    deinit { loop.stop() }

    /// Stops the thread; open transfers fail with `.cancelled`. Safe to call more than once.
    public func shutdown() { loop.stop() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let loop = self.loop
        let transfer = try CurlTransfer(request: request, highWaterMark: maxBufferedBytes) { loop.resume($0) }
        transfer.bodyContinuation.onTermination = { reason in
            if case .cancelled = reason { loop.cancel(transfer) }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                transfer.shared.withLock { $0.headContinuation = continuation }
                loop.add(transfer)
            }
        } onCancel: {
            transfer.shared.withLock { $0.cancelRequested = true }
            loop.cancel(transfer)
        }
    }
}

/// Runs `body` with a fresh ``CurlHTTPTransport`` and shuts it down afterwards, also when `body` throws.
/// - Parameters:
///   - logger: debug logging for the transport.
///   - body: the work that uses the transport.
/// - Returns: what `body` returns.
public func withCurlTransport<Result>(
    logger: Logger? = nil, isolation: isolated (any Actor)? = #isolation,
    _ body: (CurlHTTPTransport) async throws -> Result
) async rethrows -> Result {
    let transport = CurlHTTPTransport(logger: logger)
    defer { transport.shutdown() }
    return try await body(transport)
}
