import Foundation

/// Firing: due fires off the heap, the overlap policy, starting runs and recording their end.
extension TriggerScheduler {
    /// Fires everything due by now, in time order, and puts each trigger back on the heap.
    func fireDue() {
        let now = clock.now
        var changes: [TriggerStore.Change] = []
        while let top = queue.first, top.date <= now {
            _ = queue.popFirst()
            guard scheduled[top.name]?.generation == top.generation, let definition = definitions[top.name] else { continue }
            scheduled[top.name] = nil
            changes.append(.lastScheduled(trigger: top.name, top.date))
            dispatch(TriggerFire(triggerName: top.name, scheduledFor: top.date, kind: .scheduled, definition: definition),
                     now: now, changes: &changes)
            schedule(top.name, at: definition.schedule.nextFire(after: top.date, notBefore: now))
        }
        persist(changes)
    }

    /// Starts, queues or skips `fire` according to its overlap policy.
    @discardableResult
    func dispatch(_ fire: TriggerFire, now: Date, changes: inout [TriggerStore.Change]) -> FireDecision {
        let name = fire.triggerName
        guard let current = running[name] else {
            start(fire, after: nil, now: now, changes: &changes)
            return .started(runID: fire.runID)
        }
        switch fire.definition.overlap {
        case .skip:
            let reason = "run \(current.fire.runID) was still running (overlap: skip)"
            changes.append(.notRun(trigger: name, scheduledFor: fire.scheduledFor, outcome: .skipped, reason: reason, kind: fire.kind))
            return .skipped(reason: reason)
        case .queue:
            if let waiting = queued[name] {
                let reason = "run \(waiting.runID) was already queued behind run \(current.fire.runID) (overlap: queue keeps one)"
                changes.append(.notRun(trigger: name, scheduledFor: fire.scheduledFor, outcome: .skipped, reason: reason, kind: fire.kind))
                return .skipped(reason: reason)
            }
            queued[name] = fire
            changes.append(.run(fire, startedAt: nil))
            return .queued(runID: fire.runID)
        case .cancelPrevious:
            current.task.cancel()
            start(fire, after: current.task, now: now, changes: &changes)
            return .started(runID: fire.runID)
        }
    }

    /// Calls the launcher for `fire` off the actor (after `previous` has ended, if given).
    func start(_ fire: TriggerFire, after previous: Task<Void, Never>?, now: Date, changes: inout [TriggerStore.Change],
               wasQueued: Bool = false) {
        changes.append(wasQueued ? .started(runID: fire.runID, at: now) : .run(fire, startedAt: now))
        let launcher = launcher
        let task = Task.detached { [self] in
            if let previous { await previous.value }
            let outcome: FireOutcome
            if Task.isCancelled {
                outcome = .cancelled(after: .zero)
            } else {
                outcome = await launcher(fire)
            }
            await finish(fire, outcome)
        }
        running[fire.triggerName] = Running(fire: fire, task: task)
    }

    /// Records a run's end and starts the run queued behind it, if its trigger still exists. Ends
    /// arriving together are written in one transaction (`flushFinished`).
    func finish(_ fire: TriggerFire, _ outcome: FireOutcome) {
        let now = clock.now
        let name = fire.triggerName
        pendingChanges.append(.finished(trigger: name, runID: fire.runID, outcome: outcome.outcome, at: now, duration: outcome.duration))
        if running[name]?.fire.runID == fire.runID {
            running[name] = nil
            if let next = queued.removeValue(forKey: name) {
                if let definition = definitions[name] {
                    let current = TriggerFire(triggerName: name, scheduledFor: next.scheduledFor, runID: next.runID,
                                              kind: next.kind, definition: definition)
                    start(current, after: nil, now: now, changes: &pendingChanges, wasQueued: true)
                } else {
                    pendingChanges.append(.dropped(runID: next.runID, reason: "the trigger was removed before its queued run started"))
                }
            }
        }
        guard flushTask == nil else { return }
        flushTask = Task { flushFinished() }
    }

    /// Writes the batched run ends, then wakes `waitUntilIdle` callers if nothing runs.
    func flushFinished() {
        flushTask = nil
        let changes = pendingChanges
        pendingChanges = []
        persist(changes)
        resumeIdleWaitersIfIdle()
    }
}
