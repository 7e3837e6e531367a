import Foundation
import JarvisSchedule
import JarvisTriggers
import Testing

@Suite("Trigger state across restarts: missed runs, enable/disable, health", .timeLimit(.minutes(1)))
struct TriggerSchedulerRestartTests {
    static func hourly(_ name: String, missed: MissedRunPolicy, enabled: Bool = true) throws -> TriggerDefinition {
        TriggerDefinition(name: name, schedule: .cron(try CronExpression("0 * * * *")), prompt: "check", missed: missed,
                          enabled: enabled)
    }

    @Test("after downtime, missed: skip stores one missed row and runs nothing; run-once runs exactly one catch-up")
    func missedRuns() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("state.sqlite")
        let definitions = [try Self.hourly("skipper", missed: .skip), try Self.hourly("catcher", missed: .runOnce)]
        let before = try await SchedulerHarness.start(definitions, at: Dates.at("2026-01-10T00:10:00Z"), storePath: path)
        await before.clock.advance(to: Dates.at("2026-01-10T01:00:00Z"))
        #expect(await before.probe.waitForFires(2).count == 2)
        await before.stop()

        // Down from 01:00 to 06:10: the fires at 02:00 … 06:00 were missed.
        let after = try await SchedulerHarness.start(definitions, at: Dates.at("2026-01-10T06:10:00Z"), storePath: path)
        let catchUp = try #require(await after.probe.waitForFires(1).first)
        #expect(catchUp.triggerName == "catcher")
        #expect(catchUp.kind == .catchUp)
        #expect(Dates.iso(catchUp.scheduledFor) == "2026-01-10T06:00:00Z")
        await after.scheduler.waitUntilIdle()
        #expect(after.probe.fires.count == 1)

        let skipped = try await after.scheduler.history("skipper")
        #expect(skipped.map(\.outcome) == [.missed, .succeeded])
        #expect(Dates.iso(skipped.first?.scheduledFor) == "2026-01-10T02:00:00Z")
        #expect(skipped.first?.reason?.hasPrefix("missed 5 fires from 2026-01-10T02:00:00Z to 2026-01-10T06:00:00Z") == true)
        #expect(skipped.first?.runID == nil)
        #expect(try await after.scheduler.history("catcher").map(\.kind) == [.catchUp, .scheduled])
        #expect(Dates.iso(try after.store.lastScheduled("skipper")) == "2026-01-10T06:00:00Z")
        for name in ["skipper", "catcher"] {
            #expect(Dates.iso(await after.nextFire(name)) == "2026-01-10T07:00:00Z")
        }
        await after.stop()
    }

    @Test("a fire less than the grace late at start-up is due, not missed")
    func graceAtStartUp() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("state.sqlite")
        let definitions = [try Self.hourly("skipper", missed: .skip)]
        let before = try await SchedulerHarness.start(definitions, at: Dates.at("2026-01-10T00:10:00Z"), storePath: path)
        await before.stop()
        let after = try await SchedulerHarness.start(definitions, at: Dates.at("2026-01-10T03:00:30Z"), storePath: path)
        let fire = try #require(await after.probe.waitForFires(1).first)
        #expect(Dates.iso(fire.scheduledFor) == "2026-01-10T03:00:00Z" && fire.kind == .scheduled)
        await after.scheduler.waitUntilIdle()
        let history = try await after.scheduler.history("skipper")
        #expect(history.map(\.outcome) == [.succeeded, .missed])
        #expect(history.last?.reason?.hasPrefix("missed 2 fires from 2026-01-10T01:00:00Z to 2026-01-10T02:00:00Z") == true)
        await after.stop()
    }

    @Test("a run left running by a crash is closed as failed and counts toward health")
    func interruptedRun() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("state.sqlite")
        let definitions = [TriggerDefinition(name: "slow", schedule: .interval(600), prompt: "check")]
        let before = try await SchedulerHarness.start(definitions, at: Dates.at("2026-01-10T00:00:00Z"), storePath: path,
                                                      probe: LauncherProbe(gated: true))
        await before.clock.advance(by: 600)
        await before.probe.waitForFires(1)
        before.loop.cancel()   // the process "dies" with the run in progress; the run never reports back

        let after = try await SchedulerHarness.start(definitions, at: Dates.at("2026-01-10T00:12:00Z"), storePath: path)
        let history = try await after.scheduler.history("slow")
        #expect(history.map(\.outcome) == [.failed])
        #expect(history.first?.reason == "interrupted: the scheduler stopped while this run was in progress")
        #expect(try await after.scheduler.health("slow").consecutiveFailures == 1)
        await after.stop()
        before.probe.release(before.probe.fires[0].runID)
    }

    @Test("enable and disable persist across restarts and beat the file's enabled")
    func enableDisablePersist() async throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("state.sqlite")
        let definitions = [try Self.hourly("on-in-file", missed: .skip), try Self.hourly("off-in-file", missed: .skip, enabled: false)]
        let first = try await SchedulerHarness.start(definitions, at: Dates.at("2026-02-01T00:30:00Z"), storePath: path)
        #expect(await first.scheduler.list().map(\.isEnabled) == [false, true])
        try await first.scheduler.disable("on-in-file")
        try await first.scheduler.enable("off-in-file")
        await #expect(throws: TriggerError.self) { try await first.scheduler.enable("missing") }
        await first.stop()

        let second = try await SchedulerHarness.start(definitions, at: Dates.at("2026-02-01T00:40:00Z"), storePath: path)
        let list = await second.scheduler.list()
        #expect(list.map(\.definition.name) == ["off-in-file", "on-in-file"])
        #expect(list.map(\.isEnabled) == [true, false])
        #expect(list.map(\.enabledOverride) == [true, false])
        #expect(list.map(\.nextFire) == [Dates.at("2026-02-01T01:00:00Z"), nil])
        await second.clock.advance(to: Dates.at("2026-02-01T01:00:00Z"))
        #expect(await second.probe.waitForFires(1).map(\.triggerName) == ["off-in-file"])
        await second.scheduler.waitUntilIdle()
        #expect(try await second.scheduler.history("on-in-file").isEmpty)
        #expect(try second.store.enabledOverride("on-in-file") == false)
        try await second.scheduler.enable("on-in-file")
        #expect(await second.nextFire("on-in-file") == Dates.at("2026-02-01T02:00:00Z"))
        await second.stop()
    }

    @Test("health counts consecutive failures and a success resets them")
    func health() async throws {
        let folder = try TemporaryFolder()
        let probe = LauncherProbe { index in
            index < 3 ? .failed("web-1 is unreachable (attempt \(index + 1))", after: .seconds(1)) : .succeeded(after: .seconds(2))
        }
        let start = Dates.at("2026-03-01T00:00:00Z")
        let harness = try await SchedulerHarness.start([TriggerDefinition(name: "probe", schedule: .interval(60), prompt: "ping")],
                                                       at: start, storePath: folder.sub("state.sqlite"), probe: probe)
        var seen: [Int] = []
        for round in 1...4 {
            await harness.clock.advance(by: 60)
            await probe.waitForFires(round)
            await harness.scheduler.waitUntilIdle()
            seen.append(try await harness.scheduler.health("probe").consecutiveFailures)
        }
        #expect(seen == [1, 2, 3, 0])
        let health = try await harness.scheduler.health("probe")
        #expect(health.lastOutcome == .succeeded)
        #expect(health.lastFinishedAt == start.addingTimeInterval(240))
        #expect(health.nextFire == start.addingTimeInterval(300))
        #expect(health.isEnabled && !health.isRunning)
        let history = try await harness.scheduler.history("probe", limit: 2)
        #expect(history.map(\.outcome) == [.succeeded, .failed])
        #expect(history.last?.reason == "web-1 is unreachable (attempt 3)")
        await harness.stop()
    }
}
