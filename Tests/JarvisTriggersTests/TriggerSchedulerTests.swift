import Foundation
import JarvisSchedule
import JarvisTriggers
import Testing

@Suite("Trigger scheduler on a manual clock", .timeLimit(.minutes(1)))
struct TriggerSchedulerTests {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func cron(_ name: String, _ text: String, zone: TimeZone = berlin) throws -> TriggerDefinition {
        TriggerDefinition(name: name, schedule: .cron(try CronExpression(text, timeZone: zone)), prompt: "check")
    }

    static func every(_ name: String, _ seconds: TimeInterval, overlap: OverlapPolicy = .skip) -> TriggerDefinition {
        TriggerDefinition(name: name, schedule: .interval(seconds), prompt: "check", overlap: overlap)
    }

    @Test("spring forward 2026-03-29: 02:30 Berlin does not exist, so the daily fire is at 03:00 CEST (01:00Z)")
    func springForward() async throws {
        let folder = try TemporaryFolder()
        let harness = try await SchedulerHarness.start([try Self.cron("nightly", "30 2 * * *")], at: Dates.at("2026-03-28T12:00:00Z"),
                                                       storePath: folder.sub("state.sqlite"))
        #expect(Dates.iso(await harness.nextFire("nightly")) == "2026-03-29T01:00:00Z")
        await harness.clock.advance(to: Dates.at("2026-03-29T00:59:59Z"))
        #expect(try await harness.scheduler.history("nightly").isEmpty)
        await harness.clock.advance(to: Dates.at("2026-03-29T01:00:00Z"))
        let fires = await harness.probe.waitForFires(1)
        #expect(fires.map { Dates.iso($0.scheduledFor) } == ["2026-03-29T01:00:00Z"])
        #expect(fires.first?.kind == .scheduled)
        await harness.scheduler.waitUntilIdle()
        #expect(Dates.iso(await harness.nextFire("nightly")) == "2026-03-30T00:30:00Z")
        await harness.clock.advance(to: Dates.at("2026-03-30T00:30:00Z"))
        #expect(await harness.probe.waitForFires(2).map { Dates.iso($0.scheduledFor) }
                == ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"])
        await harness.stop()
        #expect(try harness.store.history("nightly").map(\.outcome) == [.succeeded, .succeeded])
    }

    @Test("fall back 2026-10-25: 02:30 Berlin happens twice and fires once, at the first (00:30Z)")
    func fallBack() async throws {
        let folder = try TemporaryFolder()
        let harness = try await SchedulerHarness.start(
            [try Self.cron("nightly", "30 2 * * *"), try Self.cron("hourly", "30 * * * *")],
            at: Dates.at("2026-10-24T23:00:00Z"), storePath: folder.sub("state.sqlite"))
        #expect(Dates.iso(await harness.nextFire("nightly")) == "2026-10-25T00:30:00Z")
        for instant in ["2026-10-24T23:30:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z"] {
            await harness.clock.advance(to: Dates.at(instant))
            await harness.scheduler.waitUntilIdle()
        }
        await harness.stop()
        let fired = harness.probe.fires.map { "\($0.triggerName)@\(Dates.iso($0.scheduledFor))" }.sorted()
        // 01:30Z is 02:30 CET, the repeated hour: neither schedule fires again then.
        #expect(fired == [
            "hourly@2026-10-24T23:30:00Z", "hourly@2026-10-25T00:30:00Z", "hourly@2026-10-25T02:30:00Z",
            "nightly@2026-10-25T00:30:00Z",
        ])
        #expect(Dates.iso(try await harness.scheduler.health("nightly").nextFire) == "2026-10-26T01:30:00Z")
    }

    @Test("overlap skip: a fire while the previous run is running is recorded as skipped")
    func overlapSkip() async throws {
        let folder = try TemporaryFolder()
        let start = Dates.at("2026-05-01T00:00:00Z")
        let harness = try await SchedulerHarness.start([Self.every("poll", 60, overlap: .skip)], at: start,
                                                       storePath: folder.sub("state.sqlite"), probe: LauncherProbe(gated: true))
        await harness.clock.advance(by: 60)
        let first = try #require(await harness.probe.waitForFires(1).first)
        await harness.clock.advance(by: 60)
        harness.probe.release(first.runID)
        await harness.scheduler.waitUntilIdle()
        let history = try await harness.scheduler.history("poll")
        #expect(history.map(\.outcome) == [.skipped, .succeeded])
        #expect(history.first?.scheduledFor == start.addingTimeInterval(120))
        #expect(history.first?.reason == "run \(first.runID) was still running (overlap: skip)")
        #expect(history.last?.runID == first.runID)
        #expect(history.last?.durationMilliseconds == 20)
        await harness.clock.advance(by: 60)
        let second = try #require(await harness.probe.waitForFires(2).last)
        #expect(second.scheduledFor == start.addingTimeInterval(180))
        harness.probe.release(second.runID)
        await harness.stop()
    }

    @Test("overlap queue: one fire waits and runs when the previous ends; a third is skipped")
    func overlapQueue() async throws {
        let folder = try TemporaryFolder()
        let start = Dates.at("2026-05-01T00:00:00Z")
        let harness = try await SchedulerHarness.start([Self.every("poll", 60, overlap: .queue)], at: start,
                                                       storePath: folder.sub("state.sqlite"), probe: LauncherProbe(gated: true))
        await harness.clock.advance(by: 60)
        let first = try #require(await harness.probe.waitForFires(1).first)
        await harness.clock.advance(by: 60)
        #expect(await harness.scheduler.list().first?.hasQueuedRun == true)
        await harness.clock.advance(by: 60)
        #expect(harness.probe.fires.count == 1)
        harness.probe.release(first.runID)
        let second = try #require(await harness.probe.waitForFires(2).last)
        #expect(second.scheduledFor == start.addingTimeInterval(120))
        harness.probe.release(second.runID, .failed("disk full on web-1", after: .seconds(3)))
        await harness.scheduler.waitUntilIdle()
        let history = try await harness.scheduler.history("poll")
        #expect(history.map(\.outcome) == [.skipped, .failed, .succeeded])
        #expect(history[0].scheduledFor == start.addingTimeInterval(180))
        #expect(history[1].runID == second.runID && history[1].reason == "disk full on web-1")
        #expect(history[1].startedAt == start.addingTimeInterval(180))
        #expect(history[1].durationMilliseconds == 3000)
        await harness.stop()
    }

    @Test("overlap cancel-previous: the running run is cancelled, then the new one starts")
    func overlapCancelPrevious() async throws {
        let folder = try TemporaryFolder()
        let start = Dates.at("2026-05-01T00:00:00Z")
        let harness = try await SchedulerHarness.start([Self.every("deploy-check", 60, overlap: .cancelPrevious)], at: start,
                                                       storePath: folder.sub("state.sqlite"), probe: LauncherProbe(gated: true))
        await harness.clock.advance(by: 60)
        let first = try #require(await harness.probe.waitForFires(1).first)
        await harness.clock.advance(by: 60)
        let second = try #require(await harness.probe.waitForFires(2).last)
        #expect(second.runID != first.runID && second.scheduledFor == start.addingTimeInterval(120))
        harness.probe.release(second.runID)
        await harness.scheduler.waitUntilIdle()
        let history = try await harness.scheduler.history("deploy-check")
        #expect(history.map(\.runID) == [second.runID, first.runID])
        #expect(history.map(\.outcome) == [.succeeded, .cancelled])
        await harness.stop()
    }

    @Test("run now: fires at once under the overlap policy and is marked manual")
    func runNow() async throws {
        let folder = try TemporaryFolder()
        let harness = try await SchedulerHarness.start([Self.every("poll", 3600)], at: Dates.at("2026-05-01T00:00:00Z"),
                                                       storePath: folder.sub("state.sqlite"), probe: LauncherProbe(gated: true))
        let decision = try await harness.scheduler.runNow("poll")
        let fire = try #require(await harness.probe.waitForFires(1).first)
        #expect(decision == .started(runID: fire.runID))
        #expect(fire.kind == .manual)
        guard case .skipped = try await harness.scheduler.runNow("poll") else {
            Issue.record("a second manual run while the first runs should be skipped")
            return
        }
        await #expect(throws: TriggerError.self) { try await harness.scheduler.runNow("nope") }
        harness.probe.release(fire.runID)
        await harness.stop()
        #expect(try harness.store.history("poll").map(\.kind) == [.manual, .manual])
        #expect(try harness.store.history("poll").map(\.outcome) == [.skipped, .succeeded])
    }

    @Test("reload keeps the running run, stops removed triggers and reschedules changed ones")
    func reload() async throws {
        let folder = try TemporaryFolder()
        let start = Dates.at("2026-05-01T00:00:00Z")
        let harness = try await SchedulerHarness.start([Self.every("a", 60), Self.every("b", 60)], at: start,
                                                       storePath: folder.sub("state.sqlite"), probe: LauncherProbe(gated: true))
        await harness.clock.advance(by: 60)
        let fires = await harness.probe.waitForFires(2)
        await harness.scheduler.reload([Self.every("b", 600)])
        #expect(await harness.scheduler.list().map(\.definition.name) == ["b"])
        #expect(await harness.nextFire("b") == start.addingTimeInterval(660))
        await harness.clock.advance(by: 600)
        #expect(harness.probe.fires.count == 2)
        for fire in fires { harness.probe.release(fire.runID) }
        await harness.scheduler.waitUntilIdle()
        #expect(try harness.store.history("a").map(\.outcome) == [.succeeded])
        #expect(try harness.store.history("b").map(\.outcome) == [.succeeded, .skipped].reversed())
        await harness.clock.advance(by: 600)
        #expect(await harness.probe.waitForFires(3).last?.triggerName == "b")
        harness.probe.release(harness.probe.fires[2].runID)
        await harness.stop()
    }

    @Test("10,000 triggers share one timer and all fire in one pass")
    func tenThousand() async throws {
        let folder = try TemporaryFolder()
        let definitions = (0..<10_000).map { Self.every("t-\($0)", 60 + Double($0 % 7)) }
        let harness = try await SchedulerHarness.start(definitions, at: Dates.at("2026-05-01T00:00:00Z"),
                                                       storePath: folder.sub("state.sqlite"))
        #expect(harness.clock.sleepingDeadlines.count == 1)
        await harness.clock.advance(by: 66)
        #expect(await harness.probe.waitForFires(10_000).count == 10_000)
        await harness.scheduler.waitUntilIdle()
        #expect(harness.clock.sleepingDeadlines.count == 1)
        await harness.stop()
        #expect(try harness.store.history("t-9999").map(\.outcome) == [.succeeded])
    }

    /// The benchmark helper works; its figures are the benchmark's business (`make bench`), not a
    /// test's, whose machine may be busy.
    @Test("the jitter helper fires every trigger on the system clock and never early")
    func jitter() async throws {
        let report = try await TriggerScheduler.measureJitter(triggerCount: 200, interval: 0.25, duration: .milliseconds(1200), atLeast: 200)
        #expect(report.fires >= 200)
        #expect(report.median >= 0, "\(report)")
    }
}
