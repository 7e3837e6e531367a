internal import Crypto
import Synchronization

/// Incremental SHA-256 (swift-crypto), safe to feed from several threads in turn.
public final class SHA256Hasher: Sendable {
    private let state = Mutex(SHA256())

    public init() {}

    /// Adds `bytes` to the digest.
    public func update(_ bytes: some Collection<UInt8>) {
        bytes.withRawBytes { input in state.withLock { $0.update(data: input) } }
    }

    /// The digest of everything added so far.
    public func finish() -> [UInt8] {
        state.withLock { Array($0.finalize()) }
    }
}
