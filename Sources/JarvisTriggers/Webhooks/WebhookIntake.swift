import CmdopIdentity
import CmdopStorage
import Foundation
import JarvisWebhooks
import Synchronization

/// The framework-neutral core of `POST /hooks/NAME`: checks, de-duplicates, filters, rate-limits
/// and stores a delivery, then says what to answer. The HTTP route only translates.
///
/// Order of checks, and the answer to each:
/// 1. unknown hook → 404; disabled hook (a secret's variable unset) → 503, saying only that it is off;
/// 2. body over `max_body` → 413 (before any verification);
/// 3. signature, headers or timestamp wrong → 401 `{"error": reason}` (never the secret);
/// 4. a sender delivery id already stored within the retention → **200**
///    `{"status":"duplicate","run_id":…,"delivery_id":…}` and nothing new stored (a 2xx, so a
///    sender that retries after a lost 202 stops retrying);
/// 5. not a JSON object → 400 (`text/*` bodies are allowed and reach templates as `{{body}}`; form
///    bodies carry their JSON in `payload=`); 6. a filter fails → 202 `{"status":"ignored","reason":…}`, nothing stored;
/// 7. over `rate_limit` → 429 with `retry-after` (only deliveries that would start a run count);
/// 8. stored (committed) → 202 `{"status":"accepted","run_id":…,"delivery_id":…}`.
public final class WebhookIntake: Sendable {
    private struct State {
        var definitions: [String: WebhookDefinition]
        var buckets: [String: TokenBucket] = [:]
    }

    /// Where deliveries are stored.
    public let store: DeliveryStore
    /// The least time a sender's delivery id is remembered; each hook uses the larger of this and its `replay_window`.
    public let dedupeRetention: TimeInterval
    /// How long finished deliveries are kept (`pruneDeliveries`).
    public let deliveryRetention: TimeInterval
    private let state: Mutex<State>

    /// Creates the intake.
    /// - Parameters:
    ///   - definitions: the webhooks (names unique; later duplicates are ignored).
    ///   - store: the delivery store.
    ///   - dedupeRetention: how long delivery ids are remembered (default 3 days, GitHub's redelivery window).
    ///   - deliveryRetention: how long finished deliveries are kept (default 30 days).
    public init(definitions: [WebhookDefinition], store: DeliveryStore, dedupeRetention: TimeInterval = 3 * 86400,
                deliveryRetention: TimeInterval = 30 * 86400) {
        self.store = store
        self.dedupeRetention = max(dedupeRetention, 0)
        self.deliveryRetention = max(deliveryRetention, 0)
        var byName: [String: WebhookDefinition] = [:]
        for definition in definitions where byName[definition.name] == nil { byName[definition.name] = definition }
        state = Mutex(State(definitions: byName))
    }

    /// The loaded webhook names, sorted.
    public var hooks: [String] { state.withLock { $0.definitions.keys.sorted() } }

    /// One webhook's definition.
    public func definition(_ hook: String) -> WebhookDefinition? { state.withLock { $0.definitions[hook] } }

    /// Replaces the definitions; rate-limit buckets of hooks whose limit is unchanged carry over.
    public func reload(_ definitions: [WebhookDefinition]) {
        state.withLock { state in
            var byName: [String: WebhookDefinition] = [:]
            for definition in definitions where byName[definition.name] == nil { byName[definition.name] = definition }
            state.buckets = state.buckets.filter { byName[$0.key]?.rateLimit == state.definitions[$0.key]?.rateLimit }
            state.definitions = byName
        }
    }

    /// Handles one delivery.
    /// - Parameters:
    ///   - hook: NAME from `/hooks/NAME`.
    ///   - headers: request headers by lower-cased name.
    ///   - body: the raw body bytes, as received.
    ///   - now: the receive time.
    /// - Returns: the response to send; for 202 `accepted` the delivery is already committed.
    public func receive(hook: String, headers: [String: String], body: [UInt8], now: Date = Date()) async -> IntakeResponse {
        guard let definition = definition(hook) else {
            return .error(404, "no webhook is named '\(hook)'")
        }
        guard let verifier = definition.verifier, definition.isEnabled else {
            return .error(503, definition.publicRefusal)
        }
        guard body.count <= definition.maxBody else {
            return .error(413, "the body is \(body.count) bytes; this webhook accepts at most \(definition.maxBody)")
        }
        let lowered = PromptTemplate.lowercasedNames(headers)
        let verifiedID: String?
        do {
            verifiedID = try verifier.verify(headers: lowered, body: body, now: now)
        } catch let rejection as WebhookRejection {
            return .error(401, rejection.reason)
        } catch {
            return .error(401, "the delivery could not be verified")
        }
        let senderID = definition.deliveryIDHeader.flatMap { lowered[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? verifiedID
        let dedupeKey = Self.deduplicationKey(definition, headers: lowered, body: body, verifiedID: verifiedID)
        let dedupeSince = now.addingTimeInterval(-max(definition.replayWindow, dedupeRetention))
        // A replay is found when the delivery is stored (in the same transaction), not by a read here.
        let decoded: PayloadDecoder.Decoded
        switch PayloadDecoder.decode(body, contentType: lowered["content-type"]) {
        case .success(let value): decoded = value
        case .failure(let error): return .error(400, error.reason)
        }
        let payload = decoded.payload
        for filter in definition.filters {
            if let reason = filter.rejection(headers: lowered, payload: payload) {
                return IntakeResponse(status: 202, fields: ["status": "ignored", "reason": reason])
            }
        }
        if let retryAfter = takeToken(hook: hook, limit: definition.rateLimit, now: now) {
            return .error(429, "more than \(definition.rateLimit?.perMinute ?? 0) deliveries a minute; retry later",
                          headers: ["retry-after": String(retryAfter)])
        }
        let visibleHeaders = PromptTemplate.visibleHeaders(lowered)
        let (deliveryID, runID) = TimeOrderedID.pair(now: now)
        let delivery = Delivery(
            id: deliveryID, hook: hook, senderDeliveryID: senderID, headers: visibleHeaders, body: body,
            prompt: definition.prompt.render(payload: payload, visibleHeaders: visibleHeaders, text: decoded.text),
            runID: runID, receivedAt: now, state: .accepted, startedAt: nil, finishedAt: nil,
            outcome: nil, replayOf: nil)
        do {
            switch try await store.insert(delivery, dedupeKey: dedupeKey, dedupeSince: dedupeSince) {
            case .stored:
                var fields = ["status": "accepted", "run_id": delivery.runID, "delivery_id": delivery.id]
                if let senderID { fields["sender_delivery_id"] = senderID }
                return IntakeResponse(status: 202, fields: fields)
            case .duplicate(let existing):
                refundToken(hook: hook)
                return Self.duplicate(existing)
            }
        } catch {
            refundToken(hook: hook)
            return .error(500, "the delivery could not be stored; retry later")
        }
    }

    /// Stores a new delivery from a stored one (new id, new run id), re-rendering the prompt with
    /// the hook's current template when the hook still exists.
    /// - Throws: `StoreError` when there is no such delivery.
    public func replay(deliveryID: String, now: Date = Date()) throws -> Delivery {
        guard let original = try store.delivery(id: deliveryID) else {
            return try store.replay(deliveryID: deliveryID, now: now)
        }
        var prompt: String?
        if let definition = definition(original.hook),
           case .success(let decoded) = PayloadDecoder.decode(original.body, contentType: original.headers["content-type"]) {
            prompt = definition.prompt.render(payload: decoded.payload, headers: original.headers, text: decoded.text)
        }
        return try store.replay(deliveryID: deliveryID, prompt: prompt, now: now)
    }

    /// Deletes finished deliveries older than `deliveryRetention`, or than the longest time a hook
    /// remembers delivery ids when that is longer (a replay must never find its original gone),
    /// and forgets de-duplication keys a day older than that longest time; returns how many deliveries.
    /// - Throws: `StoreError` when the store cannot be written.
    @discardableResult
    public func pruneDeliveries(now: Date = Date()) throws -> Int {
        let longestWindow = state.withLock { $0.definitions.values.map(\.replayWindow).reduce(dedupeRetention, max) }
        // A day's margin: a clock that jumps ahead and back again forgets no key still in its window.
        try store.pruneKeys(receivedBefore: now.addingTimeInterval(-longestWindow - 86400))
        return try store.pruneDeliveries(receivedBefore: now.addingTimeInterval(-max(deliveryRetention, longestWindow)))
    }

    /// What makes two deliveries the same one. A signed id wins (Standard Webhooks' `webhook-id`).
    /// GitHub signs only the body — `X-GitHub-Delivery` could be changed by anyone replaying a captured
    /// delivery — so its key is the body's digest (a redelivery repeats the body byte for byte).
    /// Otherwise the configured delivery-id header, when there is one.
    static func deduplicationKey(_ definition: WebhookDefinition, headers: [String: String], body: [UInt8],
                                 verifiedID: String?) -> String? {
        switch definition.scheme {
        case .github:
            return "sha256:" + Crypto.hex(Crypto.sha256(body))
        case .standardWebhooks:
            return verifiedID
        case .hmacSHA256, .bearer:
            return definition.deliveryIDHeader.flatMap { headers[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? verifiedID
        }
    }

    private static func duplicate(_ existing: Delivery) -> IntakeResponse {
        IntakeResponse(status: 200, fields: ["status": "duplicate", "run_id": existing.runID, "delivery_id": existing.id])
    }

    private func takeToken(hook: String, limit: WebhookDefinition.RateLimit?, now: Date) -> Int? {
        guard let limit else { return nil }
        return state.withLock { state in
            var bucket = state.buckets[hook] ?? TokenBucket(rateLimit: limit, now: now)
            let wait = bucket.take(now: now)
            state.buckets[hook] = bucket
            return wait
        }
    }

    private func refundToken(hook: String) {
        state.withLock { $0.buckets[hook]?.refund() }
    }
}
