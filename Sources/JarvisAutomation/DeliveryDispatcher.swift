import Foundation
import JarvisRuntime
import JarvisTriggers
import Logging
import Synchronization

/// Turns stored webhook deliveries into runs, exactly once: the run (whose id the 202 carried) is
/// started idempotently first and the delivery marked started after, so a crash between the two
/// starts the same run again — which is a no-op — instead of losing or doubling it.
///
/// The deliveries file fsyncs every commit; the journal and sessions do not (a commit there survives
/// a crash of the process, not a power loss). So after a power loss a delivery can be marked started
/// while its run is gone from the journal: at start such a run is started again, under its own id
/// (at least once, then: tool calls the lost run had made may be made again).
final class DeliveryDispatcher: Sendable {
    let store: DeliveryStore
    let starter: RunStarter
    let logger: Logger
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    private let watching = Mutex<Set<String>>([])
    /// Started deliveries whose lost run could not be started again yet: tried again on every wake.
    private let lost = Mutex<[Delivery]>([])

    init(store: DeliveryStore, starter: RunStarter, logger: Logger) {
        self.store = store
        self.starter = starter
        self.logger = logger
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the dispatcher to look for new deliveries now (an intake just stored one).
    func poke() { wake.yield() }

    /// Dispatches until cancelled: at start (deliveries a crash left behind), on every poke, and
    /// every second in any case.
    func run(definitions: @escaping @Sendable (String) -> WebhookDefinition?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [wake] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    wake.yield()
                }
            }
            group.addTask { [self] in
                await recoverStarted(definitions)
                await dispatchPending(definitions)
                for await _ in wakes {
                    if Task.isCancelled { break }
                    await restartLost(definitions)
                    await dispatchPending(definitions)
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Watches the deliveries a previous jarvis started; starts again those whose run the journal lost.
    private func recoverStarted(_ definitions: @Sendable (String) -> WebhookDefinition?) async {
        for delivery in (try? store.startedDeliveries()) ?? [] {
            let known: Bool
            do {
                known = try starter.service.journal.status(delivery.runID) != nil
            } catch {
                known = true  // unreadable: watching it reports what the journal says later; never a second run
                logger.error("cannot read a started delivery's run", metadata: ["jarvis.delivery": "\(delivery.id)", "jarvis.error": "\(error)"])
            }
            if known {
                watch(delivery)
            } else {
                logger.warning("a started delivery's run is not in the journal (lost to a power loss?); starting it again",
                               metadata: ["jarvis.hook": "\(delivery.hook)", "jarvis.delivery": "\(delivery.id)", "jarvis.run": "\(delivery.runID)"])
                lost.withLock { $0.append(delivery) }
            }
        }
        await restartLost(definitions)
    }

    /// Starts the lost runs again; one that cannot start yet waits for the next wake (one whose hook is
    /// gone is finished as failed by `start`).
    private func restartLost(_ definitions: @Sendable (String) -> WebhookDefinition?) async {
        let waiting = lost.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for delivery in waiting {
            if await start(delivery, definitions) {
                watch(delivery)
            } else if definitions(delivery.hook) != nil {
                lost.withLock { $0.append(delivery) }
            }
        }
    }

    /// Starts `delivery`'s run (idempotent); false when it cannot be (now, or ever: its hook is gone,
    /// and the delivery is then finished as failed).
    private func start(_ delivery: Delivery, _ definitions: @Sendable (String) -> WebhookDefinition?) async -> Bool {
        guard let definition = definitions(delivery.hook) else {
            // Its hook is gone: running it with guessed targets and limits would be worse than not at all.
            logger.error("a stored delivery's webhook is no longer defined; it is not run",
                         metadata: ["jarvis.hook": "\(delivery.hook)", "jarvis.delivery": "\(delivery.id)"])
            if delivery.state == .started || (try? store.markStarted(deliveryID: delivery.id, runID: delivery.runID)) == true {
                try? store.markFinished(deliveryID: delivery.id, outcome: .failed(reason: "webhook \(delivery.hook) is no longer defined"))
            }
            return false
        }
        do {
            try await starter.start(
                runID: delivery.runID, title: "webhook \(delivery.hook) · delivery \(delivery.senderDeliveryID ?? delivery.id)",
                actor: "webhook:\(delivery.hook)", prompt: delivery.prompt, targets: definition.targets,
                limits: definition.limits, model: definition.model)
            return true
        } catch {
            logger.error("cannot start the run of a webhook delivery; retrying",
                         metadata: ["jarvis.hook": "\(delivery.hook)", "jarvis.delivery": "\(delivery.id)", "jarvis.error": "\(error)"])
            return false
        }
    }

    private func dispatchPending(_ definitions: @Sendable (String) -> WebhookDefinition?) async {
        let pending: [Delivery]
        do {
            pending = try store.pendingDeliveries()
        } catch {
            return logger.error("cannot read pending webhook deliveries", metadata: ["jarvis.error": "\(error)"])
        }
        for delivery in pending {
            guard await start(delivery, definitions) else { continue }
            do {
                guard try store.markStarted(deliveryID: delivery.id, runID: delivery.runID) else { continue }
                watch(delivery)
            } catch {
                logger.error("cannot mark a webhook delivery started; retrying",
                             metadata: ["jarvis.hook": "\(delivery.hook)", "jarvis.delivery": "\(delivery.id)", "jarvis.error": "\(error)"])
            }
        }
    }

    /// Records the delivery's outcome when its run ends.
    private func watch(_ delivery: Delivery) {
        guard watching.withLock({ $0.insert(delivery.id).inserted }) else { return }
        Task { [self] in
            let outcome = await starter.outcome(of: delivery.runID, started: .now)
            // A shutdown leaves the run open in the journal for the next jarvis: so stays the delivery.
            if case .cancelled = outcome.outcome, (try? starter.service.journal.status(delivery.runID))??.status == "running" {
                _ = watching.withLock { $0.remove(delivery.id) }
                return
            }
            try? store.markFinished(deliveryID: delivery.id, outcome: outcome.outcome)
            _ = watching.withLock { $0.remove(delivery.id) }
        }
    }
}
