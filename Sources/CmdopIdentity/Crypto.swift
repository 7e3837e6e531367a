import CSodium
internal import Crypto
import Foundation

/// Hashes and MACs from swift-crypto (BoringSSL, which uses the CPU's SHA instructions: about
/// four times libsodium's speed on webhook-sized bodies); randomness and constant-time comparison
/// from libsodium.
public enum Crypto {
    /// libsodium is initialised once per process, on first use.
    @usableFromInline static let ready: Bool = sodium_init() >= 0

    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Array(bytes.withRawBytes { SHA256.hash(data: $0) })
    }

    /// SHA-256 of the UTF-8 bytes of `text`, as lower-case hex.
    public static func sha256Hex(_ text: String) -> String { hex(sha256(Array(text.utf8))) }

    /// HMAC-SHA256 with a key of any length. (A key used for many messages: `HMACKey`.)
    public static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        HMACKey(key).authenticationCode(for: message)
    }

    /// `count` bytes from the operating system's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        precondition(ready, "libsodium failed to initialise")
        var out = [UInt8](repeating: 0, count: count)
        randombytes_buf(&out, count)
        return out
    }

    /// Compares two byte strings in time that depends only on their length.
    @inlinable
    public static func constantTimeEqual(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let left = Array(a)
        let right = Array(b)
        guard left.count == right.count else { return false }
        if left.isEmpty { return true }
        return sodium_memcmp(left, right, left.count) == 0
    }

    /// Lower-case hex.
    @inlinable
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var index = 0
            for byte in bytes {
                out[index] = hexDigit(byte >> 4)
                out[index + 1] = hexDigit(byte & 0x0F)
                index += 2
            }
            return index
        }
    }

    @inline(__always) @usableFromInline
    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? nibble + 48 : nibble + 87 }

    /// Parses hex (either case); nil when malformed.
    public static func bytes(fromHex text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A random token: `prefix` followed by `byteCount` random bytes in hex.
    public static func token(prefix: String, byteCount: Int = 24) -> String {
        prefix + hex(randomBytes(byteCount))
    }
}
