import CCurl
import CmdopProviders
import Foundation
import Logging
import Synchronization

/// Drives every transfer of a transport on one dedicated thread with the libcurl multi interface.
///
/// Other threads never touch the multi handle: they queue commands and wake the loop with `curl_multi_wakeup`.
/// The thread sleeps in `curl_multi_poll` until a socket is ready, a command arrives or a timer is due, so idle
/// streams cost no thread and no CPU.
final class CurlMultiLoop: @unchecked Sendable {
    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
        case resume(CurlTransfer)
    }

    private let multi: UnsafeMutableRawPointer
    private let commands = Mutex<(queue: [Command], stopping: Bool)>(([], false))
    private let stopped = DispatchSemaphore(value: 0)
    private let logger: Logger?
    // Loop-thread state.
    private var transfers: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init(logger: Logger?) {
        precondition(CurlGlobal.initialized, "curl_global_init failed")
        multi = curl_multi_init()
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.name = "cmdop-curl"
        thread.start()
    }

    /// Queues a new transfer.
    func add(_ transfer: CurlTransfer) { enqueue(.add(transfer)) }

    /// Aborts a transfer as soon as the loop wakes (well within 100 ms).
    func cancel(_ transfer: CurlTransfer) { enqueue(.cancel(transfer)) }

    /// Un-pauses a transfer whose reader caught up.
    func resume(_ transfer: CurlTransfer) { enqueue(.resume(transfer)) }

    /// Stops the loop, failing open transfers with `.cancelled`, and waits for the thread to exit.
    func stop() {
        let first = commands.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        curl_multi_wakeup(multi)
        stopped.wait()
    }

    private func enqueue(_ command: Command) {
        commands.withLock { $0.queue.append(command) }
        curl_multi_wakeup(multi)
    }

    private func run() {
        var running: Int32 = 0
        while true {
            let (batch, stopping) = commands.withLock { state in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return (state.queue, state.stopping)
            }
            for command in batch { handle(command) }
            if stopping { break }
            curl_multi_perform(multi, &running)
            collectFinished()
            expireIdle()
            curl_multi_poll(multi, nil, 0, pollTimeout(), nil)
        }
        for transfer in Array(transfers.values) {
            finish(transfer, error: .cancelled())
        }
        curl_multi_cleanup(multi)
        stopped.signal()
    }

    private func handle(_ command: Command) {
        switch command {
        case .add(let transfer):
            let cancelled = transfer.shared.withLock { $0.cancelRequested }
            if cancelled {
                transfer.complete(with: .cancelled())
                return
            }
            transfer.lastActivity = .now
            transfers[transfer.easy] = transfer
            curl_multi_add_handle(multi, transfer.easy)
        case .cancel(let transfer):
            if transfers[transfer.easy] != nil { finish(transfer, error: .cancelled()) }
        case .resume(let transfer):
            if transfers[transfer.easy] != nil {
                transfer.lastActivity = .now
                _ = cmdop_easy_unpause(transfer.easy)
            }
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let transfer = transfers[easy]
            else { continue }
            let code = cmdop_multi_msg_result(message)
            if code == CURLE_OK {
                finish(transfer, error: nil)
            } else {
                var connectTime = 0.0
                _ = cmdop_easy_getinfo_double(easy, CURLINFO_CONNECT_TIME, &connectTime)
                let error = CurlErrorMapping.map(
                    code, url: transfer.request.url, connected: connectTime > 0 || transfer.headDelivered,
                    timeouts: transfer.request.timeouts)
                finish(transfer, error: error)
            }
        }
    }

    private func expireIdle() {
        let now = ContinuousClock.now
        for transfer in Array(transfers.values) {
            let paused = transfer.shared.withLock { $0.paused }
            if !paused, transfer.lastActivity.duration(to: now) > transfer.request.timeouts.idle {
                finish(transfer, error: CurlErrorMapping.idleTimeout(url: transfer.request.url, idle: transfer.request.timeouts.idle))
            }
        }
    }

    private func pollTimeout() -> Int32 {
        var curlTimeout = -1
        curl_multi_timeout(multi, &curlTimeout)
        var timeout = curlTimeout < 0 ? 1000 : min(curlTimeout, 1000)
        let now = ContinuousClock.now
        for transfer in transfers.values {
            let left = transfer.request.timeouts.idle - transfer.lastActivity.duration(to: now)
            timeout = min(timeout, max(1, Int(left.seconds * 1000) + 1))
        }
        return Int32(timeout)
    }

    private func finish(_ transfer: CurlTransfer, error: ProviderError?) {
        curl_multi_remove_handle(multi, transfer.easy)
        transfers[transfer.easy] = nil
        if let logger {
            let endpoint = CurlErrorMapping.endpoint(of: transfer.request.url)
            let millis = Int(transfer.started.duration(to: .now).seconds * 1000)
            logger.debug(
                "http transfer finished",
                metadata: [
                    "http.method": "\(transfer.request.method)", "http.endpoint": "\(endpoint)",
                    "http.status": "\(transfer.status)", "http.bytes": "\(transfer.receivedBytes)",
                    "http.duration_ms": "\(millis)", "http.error": "\(error?.code.description ?? "none")",
                ])
        }
        transfer.complete(with: error)
    }
}
