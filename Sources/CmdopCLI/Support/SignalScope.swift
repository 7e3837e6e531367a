import Dispatch
import Foundation

/// Runs work until it finishes or SIGINT/SIGTERM arrives, then cancels it and waits for it to wind down.
enum SignalScope {
    static func run(_ work: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await work() }
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        do {
            try await task.value
        } catch is CancellationError {
            // A signal asked us to stop: a clean exit.
        }
    }
}
