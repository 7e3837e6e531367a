import CmdopProviders
import Foundation
import Hummingbird
import JarvisAutomation
import JarvisTriggers

/// `POST /hooks/NAME`: the raw body (capped before it is read in full) goes to the intake, which
/// verifies it before parsing and stores an accepted delivery before answering 202 with its run
/// id. A hook with `sync` waits up to its time for the run's answer and then answers 200.
public struct WebhookRoutes: Sendable {
    let automation: Automation

    public init(automation: Automation) { self.automation = automation }

    public func register(on router: Router<BasicRequestContext>) {
        router.post("/hooks/:name") { request, context in
            let name = try context.parameters.require("name")
            guard let definition = automation.intake.definition(name) else {
                return JSONResponse.make(.notFound, ["error": .string("no webhook is named '\(name)'")])
            }
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: definition.maxBody)
            } catch {
                return JSONResponse.make(.contentTooLarge, ["error": .string("the body is over this webhook's \(definition.maxBody) bytes")])
            }
            var headers: [String: String] = [:]
            for field in request.headers {
                let key = field.name.canonicalName
                headers[key] = headers[key].map { $0 + ", " + field.value } ?? field.value
            }
            let answer = automation.intake.receive(hook: name, headers: headers, body: Array(buffer.readableBytesView))
            if answer.status == 202, answer.fields["status"] == "accepted", let runID = answer.fields["run_id"] {
                automation.deliveryAccepted()
                if let wait = definition.syncWait, let finished = await automation.answer(of: runID, within: wait) {
                    return JSONResponse.ok(["status": "finished", "run_id": .string(runID),
                                            "delivery_id": .string(answer.fields["delivery_id"] ?? ""),
                                            "stop": .string(finished.stop), "answer": .string(finished.answer)])
                }
            }
            var response = Response(status: .init(code: answer.status), headers: [.contentType: IntakeResponse.contentType],
                                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
            if let retryAfter = answer.headers["retry-after"] { response.headers[.retryAfter] = retryAfter }
            return response
        }
    }
}
