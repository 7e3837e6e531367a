import CmdopProviders
import Foundation
import Hummingbird
import JarvisAutomation
import JarvisTriggers

/// `POST /hooks/NAME`: the raw body (capped before it is read in full) goes to the intake, which
/// verifies it before parsing and stores an accepted delivery before answering 202 with its run
/// id. A hook with `sync` waits up to its time for the run's answer and then answers 200.
public struct WebhookRoutes: Sendable {
    /// Waits up to a time for a run's end: its stop and answer, or nil.
    public typealias AnswerWait = @Sendable (_ runID: String, _ within: Duration) async -> (stop: String, answer: String)?

    let intake: WebhookIntake
    let accepted: @Sendable () -> Void
    let answer: AnswerWait

    /// - Parameters:
    ///   - accepted: told after a delivery is stored (to start its run at once).
    ///   - answer: for `sync` hooks.
    public init(intake: WebhookIntake, accepted: @escaping @Sendable () -> Void = {},
                answer: @escaping AnswerWait = { _, _ in nil }) {
        self.intake = intake
        self.accepted = accepted
        self.answer = answer
    }

    /// The routes of jarvis's automation.
    public init(automation: Automation) {
        self.init(intake: automation.intake, accepted: { automation.deliveryAccepted() },
                  answer: { await automation.answer(of: $0, within: $1) })
    }

    public func register(on router: Router<BasicRequestContext>) {
        router.post("/hooks/:name") { request, context in
            let name = try context.parameters.require("name")
            var request = request
            guard let definition = intake.definition(name) else {
                await request.discardBody()
                return JSONResponse.make(.notFound, ["error": .string("no webhook is named '\(name)'")])
            }
            guard definition.isEnabled else {
                await request.discardBody()
                return JSONResponse.make(.serviceUnavailable, ["error": .string(definition.publicRefusal)])
            }
            guard let buffer = try await request.collectBody(upTo: definition.maxBody, draining: true) else {
                return JSONResponse.make(.contentTooLarge, ["error": .string("the body is over this webhook's \(definition.maxBody) bytes")])
            }
            var headers: [String: String] = [:]
            headers.reserveCapacity(request.headers.count)
            for field in request.headers {
                // One look-up for a header seen once; a repeated one is joined with ", " (RFC 9110).
                if let earlier = headers.updateValue(field.value, forKey: field.name.canonicalName) {
                    headers[field.name.canonicalName] = earlier + ", " + field.value
                }
            }
            let reply = await intake.receive(hook: name, headers: headers, body: Array(buffer.readableBytesView))
            if reply.status == 202, reply.fields["status"] == "accepted", let runID = reply.fields["run_id"] {
                accepted()
                if let wait = definition.syncWait, let finished = await answer(runID, wait) {
                    return JSONResponse.ok(["status": "finished", "run_id": .string(runID),
                                            "delivery_id": .string(reply.fields["delivery_id"] ?? ""),
                                            "stop": .string(finished.stop), "answer": .string(finished.answer)])
                }
            }
            var response = Response(status: .init(code: reply.status), headers: [.contentType: IntakeResponse.contentType],
                                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
            if let retryAfter = reply.headers["retry-after"] { response.headers[.retryAfter] = retryAfter }
            return response
        }
    }
}
