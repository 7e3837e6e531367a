internal import Crypto

/// An HMAC-SHA256 key prepared once (padded and absorbed into the inner and outer hashes), for
/// the many messages a webhook secret signs: each code then costs only the message's hashing.
public struct HMACKey: Sendable {
    private let keyed: HMAC<SHA256>

    /// Prepares `key` (any length).
    public init(_ key: some Collection<UInt8>) {
        keyed = HMAC(key: SymmetricKey(data: Array(key)))
    }

    /// The 32-byte HMAC-SHA256 of `message` under this key.
    public func authenticationCode(for message: some Collection<UInt8>) -> [UInt8] {
        var mac = keyed
        message.withRawBytes { mac.update(data: $0) }
        return Array(mac.finalize())
    }
}
