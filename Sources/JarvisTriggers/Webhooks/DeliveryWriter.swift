import Dispatch
import Foundation
import GRDB
import Synchronization

/// Group commit for deliveries: inserts that arrive while a commit is in progress wait for the
/// next one, so many concurrent deliveries share one transaction (and one fsync) while each is
/// still committed before its caller hears back — a 202 is never sent for a delivery not on disk.
///
/// An fsync'd commit costs about as much CPU for one delivery as for ten, so under load (the last
/// commit held more than one delivery) a commit starts no sooner than `pace` after the one before,
/// letting more deliveries join it. That adds at most `pace` to a delivery's wait; a delivery
/// arriving alone is committed at once.
final class DeliveryWriter: Sendable {
    private struct Pending {
        var record: DeliveryRecord
        var continuation: CheckedContinuation<DeliveryStore.InsertResult, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var draining = false
    }

    /// The least time between the starts of two commits under load.
    static let pace: Duration = .milliseconds(1)

    private let database: any DatabaseWriter
    private let state = Mutex(State())
    private let worker = DispatchQueue(label: "cmdop.deliveries.writer")

    init(database: any DatabaseWriter) { self.database = database }

    /// Stores `record` (unless a delivery under its key is stored) in the next commit.
    func insert(_ record: DeliveryRecord) async throws -> DeliveryStore.InsertResult {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state -> Bool in
                state.queue.append(Pending(record: record, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if start { worker.async { self.drain() } }
        }
    }

    /// Commits batches until the queue is empty (runs on `worker` only).
    private func drain() {
        var lastStart: ContinuousClock.Instant?
        var lastCount = 0
        while true {
            if lastCount > 1, let lastStart {
                let wait = lastStart + Self.pace - .now
                if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18) }
            }
            let batch = state.withLock { state -> [Pending] in
                defer { state.queue.removeAll(keepingCapacity: true) }
                if state.queue.isEmpty { state.draining = false }
                return state.queue
            }
            guard !batch.isEmpty else { return }
            lastStart = .now
            lastCount = batch.count
            do {
                let results = try database.write { db in try batch.map { try DeliveryStore.insert(db, $0.record) } }
                for (pending, result) in zip(batch, results) { pending.continuation.resume(returning: result) }
            } catch {
                for pending in batch { pending.continuation.resume(throwing: error) }
            }
        }
    }
}
