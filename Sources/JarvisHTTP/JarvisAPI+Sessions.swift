import CmdopCore
import CmdopProviders
import CmdopStorage
import Foundation
import Hummingbird
import JarvisCore
import JarvisRuntime
import JarvisSessions

extension JarvisAPI {
    func registerSessions(on router: Router<BasicRequestContext>) {
        router.post("/v1/sessions") { request, _ in
            _ = try await authenticator.authenticate(request, scope: .agentInvoke)
            var request = request
            let body = try await request.jsonObject()
            let session = try service.sessions.createSession(fleetID: fleetID, title: body["title"]?.stringValue ?? "")
            return JSONResponse.make(.created, Self.json(session))
        }
        router.get("/v1/sessions") { request, _ in
            _ = try await authenticator.authenticate(request, scope: .agentInvoke)
            return JSONResponse.ok(["sessions": .array(try service.sessions.sessions(fleetID: fleetID).map(Self.json))])
        }
        router.post("/v1/sessions/:id/messages") { request, context in
            let principal = try await authenticator.authenticate(request, scope: .agentInvoke)
            let sessionID = try context.parameters.require("id")
            var request = request
            let body = try await request.jsonObject()
            guard let text = body["text"]?.stringValue, !text.trimmingWhitespace().isEmpty else {
                throw APIError(.badRequest, "post {\"text\": \"your message\"}")
            }
            _ = try session(sessionID)
            let runID: String
            do {
                runID = try await service.post(text, to: sessionID, actor: principal.actor, budget: try Self.budget(body["budget"]),
                                               model: body["model"]?.stringValue, exclusive: true)
            } catch let busy as SessionBusy {
                throw APIError(.conflict, busy.description)
            } catch let model as ModelReferenceError {
                throw APIError(.badRequest, model.description)
            }
            return JSONResponse.make(.accepted, ["run_id": .string(runID), "session_id": .string(sessionID)])
        }
        router.get("/v1/sessions/:id/events") { request, context in
            _ = try await authenticator.authenticate(request, scope: .agentInvoke)
            let sessionID = try context.parameters.require("id")
            _ = try session(sessionID)
            let after = try Self.resumePoint(request)
            if request.uri.queryParameters["follow"] == "false" {
                let events = try service.sessions.events(of: sessionID, after: after)
                return JSONResponse.ok(["events": .array(events.map(Self.json))])
            }
            return eventStream(sessionID, after: after)
        }
    }

    /// A run's own limits from `{"max_turns": 1…50, "max_tokens", "max_cost", "timeout_seconds": 1…600}`.
    static func budget(_ json: JSONValue?) throws -> RunBudget? {
        guard let json, !json.isNull else { return nil }
        guard let fields = json.objectValue else { throw APIError(.badRequest, "budget must be an object, e.g. {\"max_turns\": 5}") }
        let known: Set = ["max_turns", "max_tokens", "max_cost", "timeout_seconds"]
        if let unknown = fields.keys.first(where: { !known.contains($0) }) {
            throw APIError(.badRequest, "budget.\(unknown) is not a budget field; use \(known.sorted().joined(separator: ", "))")
        }
        let defaults = RunBudget()
        let turns = fields["max_turns"]?.intValue ?? defaults.maxTurns
        let timeout = fields["timeout_seconds"]?.intValue ?? Int(defaults.maxWallTime.components.seconds)
        guard (1...50).contains(turns) else { throw APIError(.badRequest, "budget.max_turns must be 1…50") }
        guard (1...600).contains(timeout) else { throw APIError(.badRequest, "budget.timeout_seconds must be 1…600") }
        if let tokens = fields["max_tokens"], (tokens.intValue ?? 0) < 1 { throw APIError(.badRequest, "budget.max_tokens must be a positive integer") }
        if let cost = fields["max_cost"], (cost.doubleValue ?? -1) < 0 { throw APIError(.badRequest, "budget.max_cost must be 0 or more") }
        return RunBudget(maxTurns: turns, maxTokens: fields["max_tokens"]?.intValue, maxCost: fields["max_cost"]?.doubleValue,
                         maxWallTime: .seconds(timeout))
    }

    /// `Last-Event-ID` (a reconnecting EventSource) wins over `?after=SEQ`; both mean "events after SEQ".
    static func resumePoint(_ request: Request) throws -> Int64 {
        let lastEventID = request.headers.first { $0.name.canonicalName == "last-event-id" }?.value
        let text = lastEventID ?? request.uri.queryParameters["after"].map(String.init) ?? "0"
        guard let seq = Int64(text.trimmingWhitespace()), seq >= 0 else {
            throw APIError(.badRequest, "after / Last-Event-ID must be an event sequence number (0 for the start)")
        }
        return seq
    }

    private func session(_ id: String) throws -> SessionRecord {
        do {
            return try service.sessions.session(id, fleetID: fleetID)
        } catch is SessionNotFound {
            throw APIError(.notFound, "no such session in this fleet (create one with POST /v1/sessions)")
        }
    }

    /// Server-sent events: every stored event after `after`, then live ones, each with `id: SEQ` so a
    /// reconnecting client resumes exactly where it left off.
    private func eventStream(_ sessionID: String, after: Int64) -> Response {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let sessions = service.sessions
        let keepAlive = keepAlive
        let forward = Task {
            guard let events = try? sessions.attach(to: sessionID, after: after) else { return continuation.finish() }
            continuation.yield(ByteBuffer(string: "retry: 2000\n\n"))
            for await event in events {
                continuation.yield(ByteBuffer(string: "id: \(event.seq)\nevent: \(event.kind)\ndata: \(Self.json(event).serialized())\n\n"))
            }
            continuation.finish()
        }
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: keepAlive)
                continuation.yield(ByteBuffer(string: ": keep-alive\n\n"))
            }
        }
        continuation.onTermination = { _ in
            forward.cancel()
            ticks.cancel()
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: ResponseBody(asyncSequence: stream))
    }

    static func json(_ session: SessionRecord) -> JSONValue {
        ["id": .string(session.id), "title": .string(session.title),
         "created_at": .string(ISO8601DateFormatter().string(from: session.createdAt))]
    }

    static func json(_ event: SessionEvent) -> JSONValue {
        ["seq": .number(Double(event.seq)), "kind": .string(event.kind), "ts": .string(event.ts),
         "data": (try? JSONValue(parsing: event.payload)) ?? .string(event.payload)]
    }
}
