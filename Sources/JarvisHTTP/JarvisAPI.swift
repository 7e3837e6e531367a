import CmdopCore
import CmdopMesh
import CmdopProviders
import CmdopStorage
import Foundation
import Hummingbird
import JarvisAutomation
import JarvisRuntime
import JarvisTools

/// jarvis's HTTP API: sessions (create, post a message, events over SSE with resume), approvals,
/// runs, machines and `/healthz`. Every route but `/healthz` takes a bearer API key of jarvis's
/// fleet, and everything it shows is scoped to that fleet.
public struct JarvisAPI: Sendable {
    let service: JarvisService
    let client: MeshClient
    let authenticator: BearerAuthenticator
    /// How often an idle event stream sends an SSE comment, so proxies keep it open.
    let keepAlive: Duration
    /// Triggers and webhooks, when this jarvis runs them.
    let automation: Automation?

    /// - Parameter keyCacheLifetime: how long a key's check by the relay is reused (a revoked key
    ///   works at most this long after revocation).
    public init(service: JarvisService, client: MeshClient, automation: Automation? = nil, keepAlive: Duration = .seconds(15),
                keyCacheLifetime: Duration = .seconds(5)) {
        self.service = service
        self.automation = automation
        self.client = client
        self.authenticator = BearerAuthenticator(client: client, cacheLifetime: keyCacheLifetime)
        self.keepAlive = keepAlive
    }

    var fleetID: String { service.settings.fleetID }

    /// Adds the API's routes to `router`.
    public func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in await health() }
        registerSessions(on: router)
        registerApprovals(on: router)
        if let automation {
            registerAutomation(automation, on: router)
            WebhookRoutes(automation: automation).register(on: router)
        }
        router.get("/v1/runs") { request, _ in
            _ = try await authenticator.authenticate(request, scope: .agentInvoke)
            let session = request.uri.queryParameters["session"].map(String.init)
            return JSONResponse.ok(.object(["runs": .array(try service.journal.runs(fleetID: fleetID, sessionID: session).map(Self.json))]))
        }
        router.get("/v1/runs/:id") { request, context in
            _ = try await authenticator.authenticate(request, scope: .agentInvoke)
            guard let run = try service.journal.run(try context.parameters.require("id"), fleetID: fleetID) else {
                throw APIError(.notFound, "no such run in this fleet (see GET /v1/runs)")
            }
            return JSONResponse.ok(Self.json(run))
        }
        router.get("/v1/machines") { request, _ in
            _ = try await authenticator.authenticate(request, scope: .machinesRead)
            let spend = service.grants.spendByMachine
            let machines = try await client.machines().filter { !$0.isJarvis }.map { machine -> JSONValue in
                var row: [String: JSONValue] = [
                    "hostname": .string(machine.hostname), "name": .string(machine.name), "online": .bool(machine.online),
                    "heartbeat_age_seconds": .number(Double(machine.heartbeatAgeSeconds)), "os": .string(machine.os),
                    "agent_version": .string(machine.agentVersion),
                ]
                if let totals = spend[machine.hostname] {
                    row["model_spend"] = ["calls": .number(Double(totals.calls)), "input_tokens": .number(Double(totals.inputTokens)),
                                          "output_tokens": .number(Double(totals.outputTokens)), "cost": .number(totals.cost)]
                }
                return .object(row)
            }
            return JSONResponse.ok(["machines": .array(machines)])
        }
    }

    private func health() async -> Response {
        do {
            _ = try await client.machines()
            return JSONResponse.ok(["status": "ok", "relay": "connected"])
        } catch {
            return JSONResponse.make(.serviceUnavailable, ["status": "degraded", "relay": .string("unreachable: \(error)")])
        }
    }

    static func json(_ run: RunSummary) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(run.id), "session_id": .string(run.sessionID), "actor": .string(run.actor),
            "status": .string(run.status), "turns": .number(Double(run.turns)),
            "input_tokens": .number(Double(run.inputTokens)), "output_tokens": .number(Double(run.outputTokens)),
            "cost": .number(run.cost), "updated_at": .string(ISO8601DateFormatter().string(from: run.updatedAt)),
        ]
        if let stop = run.stop { fields["stop"] = .string(stop) }
        if let answer = run.answer { fields["answer"] = .string(answer) }
        return .object(fields)
    }
}
