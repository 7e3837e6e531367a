import Foundation

/// Start-up: close what a previous process left open, then apply missed-run policies.
extension TriggerScheduler {
    /// Builds the heap. A trigger with a stored last scheduled time whose schedule had fires more
    /// than `missedRunGrace` ago gets its missed-run policy: `skip` stores one `missed` row,
    /// `run-once` starts one catch-up fire for the latest of them. Fires within the grace are due
    /// and fire on the first pass of the loop.
    func startUp() throws {
        let now = clock.now
        let inFlight = Set(running.values.map(\.fire.runID)).union(queued.values.map(\.runID))
        try store.closeInterruptedRuns(at: now, inFlight: inFlight)
        let states = try store.states()
        overrides = states.compactMapValues(\.enabledOverride)
        var changes: [TriggerStore.Change] = []
        for definition in definitions.values.sorted(by: { $0.name < $1.name }) {
            let name = definition.name
            guard isEnabled(definition) else {
                // Time spent disabled is never "missed": count from now if it is enabled later.
                changes.append(.lastScheduled(trigger: name, now))
                schedule(name, at: nil)
                continue
            }
            guard let last = states[name]?.lastScheduledFor else {
                changes.append(.lastScheduled(trigger: name, now))
                schedule(name, at: definition.schedule.nextFire(after: now))
                continue
            }
            var cursor = last
            if let missed = MissedFires.find(definition.schedule, after: last, upTo: now.addingTimeInterval(-missedRunGrace)) {
                switch definition.missed {
                case .skip:
                    changes.append(.notRun(trigger: name, scheduledFor: missed.first, outcome: .missed,
                                           reason: missed.reason(policyHint: true), kind: .scheduled))
                case .runOnce:
                    dispatch(TriggerFire(triggerName: name, scheduledFor: missed.latest, kind: .catchUp, definition: definition),
                             now: now, changes: &changes)
                }
                cursor = missed.latest
                changes.append(.lastScheduled(trigger: name, cursor))
            }
            schedule(name, at: definition.schedule.nextFire(after: cursor))
        }
        try store.apply(changes)
        hasStarted = true
    }
}
