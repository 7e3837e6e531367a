import CmdopProviders
import CmdopStorage
import Foundation
import Hummingbird
import JarvisAutomation
import JarvisTriggers

/// Triggers and webhooks for operators (`cmdop trigger …`, `cmdop webhooks …`), with `schedules:manage`.
extension JarvisAPI {
    func registerAutomation(_ automation: Automation, on router: Router<BasicRequestContext>) {
        router.get("/v1/triggers") { request, _ in
            _ = try await authenticator.authenticate(request, scope: .schedulesManage)
            let triggers = await automation.scheduler.list().map { status -> JSONValue in
                var row = Self.json(status.definition)
                row["enabled"] = .bool(status.isEnabled)
                row["running"] = .bool(status.isRunning)
                row["queued"] = .bool(status.hasQueuedRun)
                if let next = status.nextFire { row["next_fire"] = .string(Self.iso(next)) }
                return .object(row)
            }
            return JSONResponse.ok(["triggers": .array(triggers), "errors": .array(automation.errors.map { .string($0.description) })])
        }
        router.get("/v1/triggers/health") { request, _ in
            _ = try await authenticator.authenticate(request, scope: .schedulesManage)
            let health = try await automation.scheduler.health().map { item -> JSONValue in
                var row: [String: JSONValue] = ["name": .string(item.name), "enabled": .bool(item.isEnabled), "running": .bool(item.isRunning),
                                                "consecutive_failures": .number(Double(item.consecutiveFailures))]
                if let outcome = item.lastOutcome { row["last_outcome"] = .string(outcome.description) }
                if let at = item.lastFinishedAt { row["last_finished_at"] = .string(Self.iso(at)) }
                if let next = item.nextFire { row["next_fire"] = .string(Self.iso(next)) }
                return .object(row)
            }
            return JSONResponse.ok(["health": .array(health)])
        }
        router.get("/v1/triggers/:name/history") { request, context in
            _ = try await authenticator.authenticate(request, scope: .schedulesManage)
            let name = try context.parameters.require("name")
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 20
            let rows = try await automation.scheduler.history(name, limit: min(max(limit, 1), 1000)).map { entry -> JSONValue in
                var row: [String: JSONValue] = ["scheduled_for": .string(Self.iso(entry.scheduledFor)), "outcome": .string(entry.outcome.rawValue),
                                                "kind": .string(entry.kind.rawValue)]
                if let started = entry.startedAt { row["started_at"] = .string(Self.iso(started)) }
                if let ms = entry.durationMilliseconds { row["duration_ms"] = .number(Double(ms)) }
                if let reason = entry.reason { row["reason"] = .string(reason) }
                if let run = entry.runID { row["run_id"] = .string(run) }
                return .object(row)
            }
            return JSONResponse.ok(["history": .array(rows)])
        }
        router.post("/v1/triggers/:name/:verb") { request, context in
            _ = try await authenticator.authenticate(request, scope: .schedulesManage)
            let name = try context.parameters.require("name")
            do {
                switch try context.parameters.require("verb") {
                case "run":
                    switch try await automation.scheduler.runNow(name) {
                    case .started(let runID): return JSONResponse.make(.accepted, ["status": "started", "run_id": .string(runID), "session_id": .string(runID)])
                    case .queued(let runID): return JSONResponse.make(.accepted, ["status": "queued", "run_id": .string(runID)])
                    case .skipped(let reason): return JSONResponse.ok(["status": "skipped", "reason": .string(reason)])
                    }
                case "enable": try await automation.scheduler.enable(name)
                case "disable": try await automation.scheduler.disable(name)
                default: throw APIError(.notFound, "use /v1/triggers/NAME/run, /enable or /disable")
                }
            } catch let error as TriggerError {
                throw APIError(.notFound, "\(error)")
            }
            return JSONResponse.ok(["status": "ok"])
        }
        router.get("/v1/webhooks") { request, _ in
            _ = try await authenticator.authenticate(request, scope: .schedulesManage)
            let hooks = automation.intake.hooks.compactMap(automation.intake.definition).map { hook -> JSONValue in
                var row: [String: JSONValue] = ["name": .string(hook.name), "route": .string(hook.route), "scheme": .string(hook.scheme.rawValue),
                                                "targets": .string(hook.targets.description), "max_body": .number(Double(hook.maxBody))]
                if let file = hook.file { row["file"] = .string(file) }
                row["enabled"] = .bool(hook.isEnabled)
                if let reason = hook.disabledReason { row["disabled_reason"] = .string(reason) }
                return .object(row)
            }
            return JSONResponse.ok(["webhooks": .array(hooks), "errors": .array(automation.errors.map { .string($0.description) })])
        }
        router.get("/v1/webhooks/:name/deliveries") { request, context in
            _ = try await authenticator.authenticate(request, scope: .schedulesManage)
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 20
            let rows = try automation.intake.store.deliveries(hook: try context.parameters.require("name"), limit: min(max(limit, 1), 1000))
            return JSONResponse.ok(["deliveries": .array(rows.map(Self.json))])
        }
        router.post("/v1/deliveries/:id/replay") { request, context in
            _ = try await authenticator.authenticate(request, scope: .schedulesManage)
            let delivery: Delivery
            do {
                delivery = try automation.intake.replay(deliveryID: try context.parameters.require("id"))
            } catch {
                throw APIError(.notFound, "\(error)")
            }
            automation.deliveryAccepted()
            return JSONResponse.make(.accepted, Self.json(delivery))
        }
    }

    static func json(_ definition: TriggerDefinition) -> [String: JSONValue] {
        var row: [String: JSONValue] = ["name": .string(definition.name), "schedule": .string(definition.schedule.description),
                                        "targets": .string(definition.targets.description), "overlap": .string(definition.overlap.rawValue),
                                        "missed": .string(definition.missed.rawValue)]
        if let file = definition.file { row["file"] = .string(file) }
        if let model = definition.model { row["model"] = .string(model) }
        return row
    }

    static func json(_ delivery: Delivery) -> JSONValue {
        var row: [String: JSONValue] = ["id": .string(delivery.id), "hook": .string(delivery.hook), "run_id": .string(delivery.runID),
                                        "state": .string(delivery.state.rawValue), "received_at": .string(iso(delivery.receivedAt)),
                                        "body_bytes": .number(Double(delivery.body.count))]
        if let sender = delivery.senderDeliveryID { row["sender_delivery_id"] = .string(sender) }
        if let outcome = delivery.outcome { row["outcome"] = .string(outcome.description) }
        if let of = delivery.replayOf { row["replay_of"] = .string(of) }
        return .object(row)
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
