import Foundation

/// Operator verbs: reload, run now, enable, disable.
extension TriggerScheduler {
    /// Replaces the definitions. Runs in progress keep running; removed triggers stop firing (and a
    /// run queued for one is dropped); a new, re-enabled or changed trigger is scheduled from now.
    public func reload(_ newDefinitions: [TriggerDefinition]) {
        let old = definitions
        definitions = [:]
        for definition in newDefinitions where definitions[definition.name] == nil {
            definitions[definition.name] = definition
        }
        guard hasStarted else { return }
        let now = clock.now
        var changes: [TriggerStore.Change] = []
        for name in old.keys where definitions[name] == nil {
            schedule(name, at: nil)
            if let waiting = queued.removeValue(forKey: name) {
                changes.append(.dropped(runID: waiting.runID, reason: "the trigger was removed before its queued run started"))
            }
        }
        for definition in definitions.values.sorted(by: { $0.name < $1.name }) {
            let name = definition.name
            guard isEnabled(definition) else {
                schedule(name, at: nil)
                continue
            }
            if let previous = old[name], previous.schedule == definition.schedule, scheduled[name] != nil { continue }
            changes.append(.lastScheduled(trigger: name, now))
            schedule(name, at: definition.schedule.nextFire(after: now))
        }
        persist(changes)
        resumeIdleWaitersIfIdle()
        wake()
    }

    /// Fires `name` now, under its overlap policy (works while it is disabled, too).
    /// - Returns: whether it started, was queued or was skipped, with the run id.
    /// - Throws: `TriggerError` for an unknown name.
    @discardableResult
    public func runNow(_ name: String) throws -> FireDecision {
        let definition = try known(name)
        let now = clock.now
        var changes: [TriggerStore.Change] = []
        let decision = dispatch(TriggerFire(triggerName: name, scheduledFor: now, kind: .manual, definition: definition),
                                now: now, changes: &changes)
        persist(changes)
        return decision
    }

    /// Enables `name`, overriding its file; persists across restarts. It next fires on its schedule
    /// counted from now (fires while it was disabled are not missed runs).
    /// - Throws: `TriggerError` for an unknown name; `StoreError` when the override cannot be stored.
    public func enable(_ name: String) throws {
        let definition = try known(name)
        let wasEnabled = isEnabled(definition)
        let now = clock.now
        try store.setEnabledOverride(name, true, lastScheduled: wasEnabled ? nil : now)
        overrides[name] = true
        if hasStarted && (!wasEnabled || scheduled[name] == nil) {
            schedule(name, at: definition.schedule.nextFire(after: now))
            wake()
        }
    }

    /// Disables `name`, overriding its file; persists across restarts. A run in progress finishes;
    /// a run queued behind it is dropped.
    /// - Throws: `TriggerError` for an unknown name; `StoreError` when the override cannot be stored.
    public func disable(_ name: String) throws {
        _ = try known(name)
        try store.setEnabledOverride(name, false, lastScheduled: nil)
        overrides[name] = false
        schedule(name, at: nil)
        if let waiting = queued.removeValue(forKey: name) {
            persist([.dropped(runID: waiting.runID, reason: "the trigger was disabled before its queued run started")])
        }
        wake()
    }

    /// Removes the stored enable/disable of `name`, so its file decides again.
    /// - Throws: `TriggerError` for an unknown name; `StoreError` when the store cannot be written.
    public func clearOverride(_ name: String) throws {
        let definition = try known(name)
        let wasEnabled = isEnabled(definition)
        try store.setEnabledOverride(name, nil, lastScheduled: wasEnabled ? nil : clock.now)
        overrides[name] = nil
        guard hasStarted else { return }
        if !definition.enabled {
            schedule(name, at: nil)
        } else if !wasEnabled {
            schedule(name, at: definition.schedule.nextFire(after: clock.now))
        }
        wake()
    }
}
