import CSodium
import Synchronization

/// Incremental SHA-256 (libsodium), safe to feed from several threads in turn.
public final class SHA256Hasher: Sendable {
    private let state: Mutex<crypto_hash_sha256_state>

    public init() {
        precondition(Crypto.ready, "libsodium failed to initialise")
        var initial = crypto_hash_sha256_state()
        _ = crypto_hash_sha256_init(&initial)
        state = Mutex(initial)
    }

    /// Adds `bytes` to the digest.
    public func update(_ bytes: some Collection<UInt8>) {
        let input = Array(bytes)
        state.withLock { state in _ = crypto_hash_sha256_update(&state, input, UInt64(input.count)) }
    }

    /// The digest of everything added so far.
    public func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        state.withLock { state in
            var copy = state
            _ = crypto_hash_sha256_final(&copy, &out)
        }
        return out
    }
}
