import CmdopIdentity
import Synchronization

/// Single-use continuity tokens: a machine whose stream dropped may re-connect with its token
/// within the continuity window instead of signing a new challenge.
final class ContinuityBook: Sendable {
    private struct Entry {
        var machineID: String
        /// nil while the stream that got this token is connected.
        var expiresAt: ContinuousClock.Instant?
    }

    private let window: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(window: Duration) { self.window = window }

    /// A new 64-hex-character token for a stream of `machineID` that is live now.
    func issue(machineID: String) -> String {
        let token = Crypto.hex(Crypto.randomBytes(32))
        entries.withLock { $0[token] = Entry(machineID: machineID) }
        return token
    }

    /// Starts the re-connect window of `token` (its stream has ended).
    func streamEnded(token: String) {
        let now = ContinuousClock.now
        entries.withLock { book in
            book[token]?.expiresAt = now + window
            book = book.filter { $0.value.expiresAt.map { $0 > now } ?? true }
        }
    }

    /// Spends `token`; returns its machine id if it was valid.
    func redeem(_ token: String) -> String? {
        let entry = entries.withLock { $0.removeValue(forKey: token) }
        guard let entry else { return nil }
        if let expiresAt = entry.expiresAt, expiresAt < ContinuousClock.now { return nil }
        return entry.machineID
    }
}
