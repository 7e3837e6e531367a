import CmdopIdentity
import Synchronization

/// Outstanding handshake nonces: each is valid for a limited time and can be used once.
final class ChallengeBook: Sendable {
    private let lifetime: Duration
    private let capacity: Int
    private let issued = Mutex<[[UInt8]: ContinuousClock.Instant]>([:])

    init(lifetime: Duration, capacity: Int = 100_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// A fresh 32-byte nonce and its lifetime.
    func issue() -> [UInt8] {
        let nonce = Crypto.randomBytes(32)
        let now = ContinuousClock.now
        issued.withLock { book in
            if book.count >= capacity {
                book = book.filter { now - $0.value < lifetime }
                if book.count >= capacity, let oldest = book.min(by: { $0.value < $1.value }) {
                    book.removeValue(forKey: oldest.key)
                }
            }
            book[nonce] = now
        }
        return nonce
    }

    /// Why a nonce was refused, or nil when it was valid (it is now spent either way).
    func consume(_ nonce: [UInt8]) -> String? {
        let issuedAt = issued.withLock { $0.removeValue(forKey: nonce) }
        guard let issuedAt else { return "the challenge is unknown or was already used (a replayed signature?)" }
        guard ContinuousClock.now - issuedAt <= lifetime else {
            return "the challenge expired (older than \(lifetime)); request a new one"
        }
        return nil
    }
}
