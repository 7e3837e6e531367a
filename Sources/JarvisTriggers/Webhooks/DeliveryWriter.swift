import Dispatch
import Foundation
import GRDB
import Synchronization

/// Group commit for deliveries: inserts that arrive while a commit is in progress wait for the
/// next one, so many concurrent deliveries share one transaction (and one fsync) while each is
/// still committed before its caller hears back — a 202 is never sent for a delivery not on disk.
final class DeliveryWriter: Sendable {
    private struct Pending {
        var delivery: Delivery
        var dedupeKey: String?
        var dedupeSince: Date
        var continuation: CheckedContinuation<DeliveryStore.InsertResult, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var draining = false
    }

    private let database: any DatabaseWriter
    private let state = Mutex(State())
    private let worker = DispatchQueue(label: "cmdop.deliveries.writer")

    init(database: any DatabaseWriter) { self.database = database }

    /// Stores `delivery` (unless `dedupeKey` was seen since `dedupeSince`) in the next commit.
    func insert(_ delivery: Delivery, dedupeKey: String?, dedupeSince: Date) async throws -> DeliveryStore.InsertResult {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state -> Bool in
                state.queue.append(Pending(delivery: delivery, dedupeKey: dedupeKey, dedupeSince: dedupeSince, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if start { worker.async { self.drain() } }
        }
    }

    /// Commits batches until the queue is empty.
    private func drain() {
        while true {
            let batch = state.withLock { state -> [Pending] in
                defer { state.queue.removeAll(keepingCapacity: true) }
                if state.queue.isEmpty { state.draining = false }
                return state.queue
            }
            guard !batch.isEmpty else { return }
            do {
                let results = try database.write { db in
                    try batch.map { try DeliveryStore.insert(db, $0.delivery, dedupeKey: $0.dedupeKey, dedupeSince: $0.dedupeSince) }
                }
                for (pending, result) in zip(batch, results) { pending.continuation.resume(returning: result) }
            } catch {
                for pending in batch { pending.continuation.resume(throwing: error) }
            }
        }
    }
}
