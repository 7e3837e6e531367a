import Hummingbird
import JarvisTriggers
import Synchronization

/// What jarvis's HTTP server answers with for the life of the process: the whole API while jarvis
/// is connected to its relay, and only the webhook ingress while it re-connects. A CI system's
/// delivery in that gap is verified, stored and answered 202 as usual (its run starts once the relay
/// is back), where a listener torn down with the connection would refuse it — and GitHub does not
/// retry. Every other route answers 503 until the relay is back.
public final class SwitchableResponder: HTTPResponder, Sendable {
    public typealias Context = BasicRequestContext

    private let online = Mutex<RouterResponder<Context>?>(nil)
    private let offline: RouterResponder<Context>

    /// - Parameter intake: the process's webhook intake (nil when jarvis runs no webhooks).
    public init(intake: WebhookIntake?) {
        let router = Router()
        if let intake { WebhookRoutes(intake: intake).register(on: router) }
        offline = router.buildResponder()
    }

    /// Serves `router`'s routes (the connection's API) from now on.
    public func serve(_ router: Router<Context>) {
        let responder = router.buildResponder()
        online.withLock { $0 = responder }
    }

    /// Back to the webhook ingress alone (the relay connection ended).
    public func serveOffline() {
        online.withLock { $0 = nil }
    }

    /// Whether the whole API is being served.
    public var isOnline: Bool { online.withLock { $0 != nil } }

    public func respond(to request: Request, context: Context) async throws -> Response {
        if let responder = online.withLock({ $0 }) { return try await responder.respond(to: request, context: context) }
        if request.method == .post, request.uri.path.hasPrefix("/hooks/") {
            return try await offline.respond(to: request, context: context)
        }
        return JSONResponse.make(.serviceUnavailable, [
            "error": "jarvis is re-connecting to its relay; webhooks are still accepted, everything else is back once it is connected",
        ])
    }
}
