import Foundation
import Synchronization

/// One process's exclusive claim on a folder, for as long as it runs: an `flock` on a lock file
/// that also holds the owner's pid.
///
/// jarvis keeps state in memory beside its files (the newest de-duplication keys, the scheduler's
/// next fires), so two jarvis processes on one folder would each store the same delivery, or fire
/// the same trigger, once. The kernel drops the lock when its process dies, so a crash never
/// leaves a stale lock behind.
public final class ProcessLock: Sendable {
    /// The lock file.
    public let path: String
    /// The open lock file; -1 once released.
    private let descriptor: Mutex<Int32>

    /// Takes the lock, creating the file (mode 0600) and its folder (0700) when missing.
    /// - Parameters:
    ///   - path: the lock file, inside the folder it guards.
    ///   - holder: what holds it, for the message another process gets (e.g. "jarvis").
    /// - Throws: `StoreError` naming the process that holds the lock and what to do.
    public init(path: String, holder: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError("\(path): cannot open the lock file (\(String(cString: strerror(errno)))); check the folder's permissions")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let owner = Self.owner(fd)
            close(fd)
            guard reason == EWOULDBLOCK else {
                throw StoreError("\(path): cannot lock (\(String(cString: strerror(reason)))); check the file system supports flock")
            }
            throw StoreError("""
                \(folder) is in use by another \(holder)\(owner.map { " (pid \($0))" } ?? ""): stop that one first, \
                or give this one a folder of its own
                """)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = Mutex(fd)
    }

    deinit { release() }

    /// Lets the lock go (also when the process ends); calling it again does nothing.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            close(fd)  // closing the only descriptor of the open file releases the flock
            fd = -1
        }
    }

    /// The pid the holder wrote, when it wrote one.
    private static func owner(_ fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
