import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The 32-byte seed file (`agent_keypair.bin`), written atomically with mode 0600.
public enum IdentityFile {
    /// Loads the identity at `path`, creating a fresh one there if the file does not exist.
    /// - Returns: the identity and whether it was created now.
    /// - Throws: `IdentityError` naming the file and the fix when it exists but is unsafe or malformed.
    public static func loadOrCreate(at path: String) throws -> (identity: Ed25519Identity, created: Bool) {
        if FileManager.default.fileExists(atPath: path) {
            return (try load(from: path), false)
        }
        let (identity, seed) = Ed25519Identity.generate()
        try write(seed: seed, to: path)
        return (identity, true)
    }

    /// Loads an existing seed file, refusing one that others can read or that is not 32 bytes.
    public static func load(from path: String) throws -> Ed25519Identity {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw IdentityError("\(path): no identity here (\(String(cString: strerror(errno)))); run `cmdop join` first")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw IdentityError(
                "\(path): the identity seed is readable by others (mode \(String(mode, radix: 8))); "
                    + "fix it with `chmod 600 \(path)`, or delete the file to start as a new machine")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IdentityError("\(path): cannot read the identity seed; check the file's owner")
        }
        guard data.count == Ed25519Identity.seedLength else {
            throw IdentityError(
                "\(path): an identity seed is \(Ed25519Identity.seedLength) bytes but this file has \(data.count); "
                    + "restore it from a backup, or delete it to enrol as a new machine")
        }
        return try Ed25519Identity(seed: Array(data))
    }

    /// Writes `seed` to `path` atomically: a 0600 temporary file in the same folder, fsync, rename.
    public static func write(seed: [UInt8], to path: String) throws {
        try SecureFile.writeAtomically(Data(seed), to: path)
    }
}

/// Atomic writes of secret-bearing files with mode 0600.
public enum SecureFile {
    /// Writes `data` to a 0600 temporary file next to `path`, syncs it and renames it over `path`.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)  // a leftover (or planted) file must not lend us its mode or its target
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw IdentityError("\(temporary): cannot create (\(String(cString: strerror(errno))))")
        }
        let written = data.withUnsafeBytes { buffer in Glibc.write(fd, buffer.baseAddress, buffer.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0 else {
            unlink(temporary)
            throw IdentityError("\(temporary): write failed (\(String(cString: strerror(errno))))")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw IdentityError("\(path): cannot replace (\(String(cString: strerror(errno))))")
        }
    }
}
