import CmdopIdentity
import Foundation

/// Record ids in UUID version 7 form (RFC 9562): 48 bits of Unix milliseconds, then 74 random
/// bits, as lower-case `8-4-4-4-12` hex. Ids made later sort later, so a SQLite index keyed on
/// them grows at its right edge instead of touching a random page per insert, and the random
/// part keeps them unguessable. Made without opening `/dev/urandom` (Foundation's `UUID()` does,
/// once per id).
public enum TimeOrderedID {
    /// A new id for `now`.
    public static func make(now: Date = Date()) -> String {
        // One call to the system's CSPRNG for both words (the standard generator makes one per word).
        make(now: now, random: Crypto.randomBytes(16), at: 0)
    }

    /// Two new ids for `now` (a record and its run, say), from one call to the system's CSPRNG.
    public static func pair(now: Date = Date()) -> (String, String) {
        let random = Crypto.randomBytes(32)
        return (make(now: now, random: random, at: 0), make(now: now, random: random, at: 16))
    }

    /// The id for `now` with 16 random bytes of `random` from `offset`.
    private static func make(now: Date, random: [UInt8], at offset: Int) -> String {
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (high, low) = random.withUnsafeBytes { ($0.loadUnaligned(fromByteOffset: offset, as: UInt64.self),
                                                    $0.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)) }
        var bytes: (UInt64, UInt64) = (
            milliseconds << 16 | 0x7000 | high & 0x0FFF,
            0x8000_0000_0000_0000 | low & 0x3FFF_FFFF_FFFF_FFFF)
        bytes.0 = bytes.0.bigEndian
        bytes.1 = bytes.1.bigEndian
        return withUnsafeBytes(of: &bytes) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var index = 0
                for (position, byte) in raw.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    out[index] = digits[Int(byte >> 4)]
                    out[index + 1] = digits[Int(byte & 0x0F)]
                    index += 2
                }
                return index
            }
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}
