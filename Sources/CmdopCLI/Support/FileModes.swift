import ArgumentParser
import Foundation

/// cmdop's own files (keys, databases, logs) are for their owner only (umask 077); the commands it
/// runs for people get the umask it was started with, the machine's normal one.
public enum FileModes {
    /// The umask cmdop was started with (usually 022). Reading it the first time sets 077, which
    /// ``restrictOwnFiles()`` does at the very start of `main`.
    static let startUmask: mode_t = umask(0o077)

    /// Makes everything cmdop creates owner-only, remembering the umask it replaced.
    public static func restrictOwnFiles() { _ = startUmask }

    /// `--umask OCTAL` (e.g. 022), or the umask cmdop was started with.
    static func commandUmask(_ option: String?) throws -> mode_t {
        guard let option else { return startUmask }
        guard let value = mode_t(option, radix: 8), value <= 0o777 else {
            throw ValidationError("--umask '\(option)' is not an octal umask such as 022 or 027")
        }
        return value
    }
}
