import CSodium
import Foundation

/// An Ed25519 key pair derived from a 32-byte seed (libsodium).
///
/// The seed is the only secret; the public key and its fingerprint are the machine's stable identity.
public struct Ed25519Identity: Sendable {
    public static let seedLength = 32
    public static let publicKeyLength = 32
    public static let signatureLength = 64

    public let publicKey: [UInt8]
    private let secretKey: [UInt8]

    /// Derives the key pair from `seed`.
    /// - Throws: `IdentityError` when the seed is not 32 bytes.
    public init(seed: [UInt8]) throws {
        guard seed.count == Self.seedLength else {
            throw IdentityError("an Ed25519 seed must be \(Self.seedLength) bytes, got \(seed.count)")
        }
        precondition(Crypto.ready, "libsodium failed to initialise")
        var pk = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var sk = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        _ = crypto_sign_seed_keypair(&pk, &sk, seed)
        publicKey = pk
        secretKey = sk
    }

    /// A new identity from a fresh random seed; returns the seed too, for persisting.
    public static func generate() -> (identity: Ed25519Identity, seed: [UInt8]) {
        let seed = Crypto.randomBytes(seedLength)
        // A 32-byte seed cannot fail to derive.
        return (try! Ed25519Identity(seed: seed), seed)
    }

    /// The detached 64-byte signature of `message`.
    public func sign(_ message: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(message)
        var signature = [UInt8](repeating: 0, count: Self.signatureLength)
        _ = crypto_sign_detached(&signature, nil, bytes, UInt64(bytes.count), secretKey)
        return signature
    }

    /// The public key's fingerprint (`SHA256:` + unpadded base64), the identity shown to people.
    public var fingerprint: String { Self.fingerprint(of: publicKey) }

    /// Verifies a detached signature; false for malformed keys or signatures.
    public static func verify(signature: some Collection<UInt8>, message: some Collection<UInt8>,
                              publicKey: some Collection<UInt8>) -> Bool {
        let sig = Array(signature)
        let key = Array(publicKey)
        let bytes = Array(message)
        guard sig.count == signatureLength, key.count == publicKeyLength else { return false }
        precondition(Crypto.ready, "libsodium failed to initialise")
        return crypto_sign_verify_detached(sig, bytes, UInt64(bytes.count), key) == 0
    }

    /// The fingerprint of any public key.
    public static func fingerprint(of publicKey: some Collection<UInt8>) -> String {
        let encoded = Data(Crypto.sha256(publicKey)).base64EncodedString()
        return "SHA256:" + encoded.replacingOccurrences(of: "=", with: "")
    }
}

/// A problem with an identity, worded for the person who has to fix it.
public struct IdentityError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
