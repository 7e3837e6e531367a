import CCurl
import CmdopProviders
import Synchronization

/// One HTTP exchange on the multi loop: its easy handle, the head being parsed, and the body stream.
///
/// Callbacks run on the loop thread; ``requestCancel()`` and ``consumed(_:)`` run on the caller's threads and
/// only touch the `shared` mutex.
final class CurlTransfer: @unchecked Sendable {
    /// State touched from both the loop thread and callers.
    struct Shared {
        var headContinuation: CheckedContinuation<HTTPResponse, any Error>?
        var cancelRequested = false
        var bufferedBytes = 0
        var paused = false
        var done = false
    }

    let request: HTTPRequest
    let easy: UnsafeMutableRawPointer
    let shared = Mutex(Shared())
    /// The body stream until the head is handed out; then only the reader holds it, so a reader that goes away
    /// terminates the stream and aborts the transfer.
    private var body: AsyncThrowingStream<[UInt8], any Error>?
    let bodyContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    let highWaterMark: Int
    private let onResume: @Sendable (CurlTransfer) -> Void
    private var headerList: UnsafeMutablePointer<curl_slist>?

    // Loop-thread state.
    var status = 0
    var responseHeaders: [(name: String, value: String)] = []
    var headDelivered = false
    var lastActivity = ContinuousClock.now
    var receivedBytes = 0
    let started = ContinuousClock.now

    /// Prepares the easy handle for `request`.
    /// - Throws: ``ProviderError`` `.network` when libcurl cannot create a handle.
    init(request: HTTPRequest, highWaterMark: Int, onResume: @escaping @Sendable (CurlTransfer) -> Void) throws {
        guard CurlGlobal.initialized, let easy = curl_easy_init() else {
            throw ProviderError(code: .network, message: "libcurl could not be initialised; the system is out of memory.")
        }
        self.request = request
        self.easy = easy
        self.highWaterMark = highWaterMark
        self.onResume = onResume
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream(bufferingPolicy: .unbounded)
        body = stream
        bodyContinuation = continuation
        configure()
    }

    deinit {
        curl_easy_cleanup(easy)
        if let headerList { curl_slist_free_all(headerList) }
    }

    private func configure() {
        let handle = easy
        _ = cmdop_easy_setopt_string(handle, CURLOPT_URL, request.url)
        _ = cmdop_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        if let host = Self.loopbackHost(of: request.url) {
            // Proxies come from the environment, but no proxy can reach this machine's loopback.
            _ = cmdop_easy_setopt_string(handle, CURLOPT_NOPROXY, host)
        }
        _ = cmdop_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = cmdop_easy_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        _ = cmdop_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = cmdop_easy_setopt_long(handle, CURLOPT_BUFFERSIZE, 64 * 1024)
        _ = cmdop_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.timeouts.connect))
        _ = cmdop_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeouts.total))
        switch request.method {
        case "GET":
            _ = cmdop_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "POST":
            _ = cmdop_easy_setopt_long(handle, CURLOPT_POST, 1)
        default:
            _ = cmdop_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if request.method != "GET" {
            _ = cmdop_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            if request.body.isEmpty {
                _ = cmdop_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                request.body.withUnsafeBytes { bytes in
                    // COPYPOSTFIELDS: libcurl keeps its own copy, so the array need not outlive this call.
                    _ = cmdop_easy_setopt_pointer(
                        handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress!))
                }
            }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        list = curl_slist_append(list, "Expect:")  // no 100-continue round trip for large bodies
        headerList = list
        _ = cmdop_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = cmdop_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        _ = cmdop_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = cmdop_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        _ = cmdop_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
    }

    /// The host of `url` when it is a loopback address (`127.x.x.x`, `localhost`, `[::1]`).
    static func loopbackHost(of url: String) -> String? {
        let authority = CurlErrorMapping.endpoint(of: url).split(separator: "/").last.map(String.init) ?? ""
        let host: String
        if authority.hasPrefix("[") {
            host = String(authority.prefix { $0 != "]" }.dropFirst())
        } else {
            host = String(authority.prefix { $0 != ":" })
        }
        let isLoopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        return isLoopback ? host : nil
    }

    static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(duration.seconds * 1000))
    }

    // MARK: Loop-thread callbacks

    /// A header line arrived (status line, field, or the blank line ending the head).
    func receiveHeader(_ line: UnsafeRawBufferPointer) {
        lastActivity = .now
        var length = line.count
        while length > 0, line[length - 1] == 0x0A || line[length - 1] == 0x0D { length -= 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<length]), as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            responseHeaders.removeAll()
        } else if text.isEmpty {
            if status >= 200 { deliverHead() }
        } else if let colon = text.firstIndex(of: ":") {
            let name = String(text[..<colon])
            let value = text[text.index(after: colon)...].trimmingCharacters(in: " \t")
            responseHeaders.append((name, value))
        }
    }

    /// Body bytes arrived; returns the count consumed, or the pause code to hold them until the reader catches up.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        lastActivity = .now
        if !headDelivered { deliverHead() }
        let mustPause = shared.withLock { shared -> Bool in
            if shared.bufferedBytes >= highWaterMark {
                shared.paused = true
                return true
            }
            shared.bufferedBytes += bytes.count
            return false
        }
        if mustPause { return cmdop_writefunc_pause() }
        receivedBytes += bytes.count
        bodyContinuation.yield([UInt8](bytes))
        return bytes.count
    }

    /// Hands the head to the caller waiting in `send`.
    func deliverHead() {
        guard !headDelivered, let stream = body else { return }
        headDelivered = true
        body = nil
        let response = HTTPResponse(
            status: status, headers: responseHeaders,
            body: HTTPBody(stream, onConsumed: { [weak self] count in self?.consumed(count) }))
        let continuation = shared.withLock { shared in
            defer { shared.headContinuation = nil }
            return shared.headContinuation
        }
        continuation?.resume(returning: response)
    }

    /// Ends the exchange: the waiting `send` or the body reader learns the outcome.
    func complete(with error: ProviderError?) {
        if error == nil, !headDelivered { deliverHead() }
        let continuation = shared.withLock { shared in
            shared.done = true
            defer { shared.headContinuation = nil }
            return shared.headContinuation
        }
        if let error {
            continuation?.resume(throwing: error)
            bodyContinuation.finish(throwing: error)
        } else {
            bodyContinuation.finish()
        }
    }

    // MARK: Caller-side

    /// Called as the reader takes chunks; asks the loop to resume a paused transfer below half the high-water mark.
    func consumed(_ count: Int) {
        let resume = shared.withLock { shared -> Bool in
            shared.bufferedBytes -= count
            if shared.paused, shared.bufferedBytes < highWaterMark / 2 {
                shared.paused = false
                return true
            }
            return false
        }
        if resume { onResume(self) }
    }
}

/// `CURLOPT_WRITEFUNCTION`: reaches the transfer through the userdata pointer.
let curlWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
}

/// `CURLOPT_HEADERFUNCTION`: one call per header line.
let curlHeaderCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    transfer.receiveHeader(UnsafeRawBufferPointer(start: buffer, count: size * count))
    return size * count
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        guard let first = firstIndex(where: { !characters.contains($0) }) else { return "" }
        let last = lastIndex(where: { !characters.contains($0) })!
        return String(self[first...last])
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
