import CmdopIdentity
import Foundation
import Synchronization

/// The binaries behind the programs deny rules name, known by identity — device and inode, and
/// size and SHA-256 of the content — so that `cp /bin/rm ./del; ./del x` is still `rm`.
struct RefusedBinaries: Sendable {
    struct Identity: Sendable, Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// Where the names are looked up.
    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    private var byIdentity: [Identity: String] = [:]
    private var bySize: [Int64: [(digest: [UInt8], name: String)]] = [:]

    /// Recently built sets by their names: hashing the binaries for every command would cost more
    /// than the command. Rebuilt after a minute, so an upgraded binary is known again soon.
    private static let recent = Mutex<[Set<String>: (built: ContinuousClock.Instant, binaries: RefusedBinaries)]>([:])

    /// The binaries of `names`, reusing a set built less than a minute ago.
    static func of(_ names: Set<String>) -> RefusedBinaries {
        let now = ContinuousClock.now
        if let cached = recent.withLock({ $0[names] }), now - cached.built < .seconds(60) { return cached.binaries }
        let binaries = RefusedBinaries(names: names)
        recent.withLock { cache in
            if cache.count > 64 { cache.removeAll() }
            cache[names] = (now, binaries)
        }
        return binaries
    }

    /// The binaries of `names`, each found in every directory of the search path.
    init(names: Set<String>) {
        for name in names.sorted() {
            for directory in Self.searchPath {
                let path = directory + "/" + name
                guard let resolved = Self.realPath(path), let (identity, size) = Self.identity(of: resolved) else { continue }
                // A multicall binary (busybox, uutils) is every applet: its applets are judged by name.
                guard (resolved as NSString).lastPathComponent == name else { continue }
                guard byIdentity[identity] == nil else { continue }
                byIdentity[identity] = name
                if let digest = Self.digest(of: resolved) { bySize[size, default: []].append((digest, name)) }
            }
        }
    }

    /// The refused program `path` is, by identity or content, if any.
    func program(at path: String) -> String? {
        guard let (identity, size) = Self.identity(of: path) else { return nil }
        if let name = byIdentity[identity] { return name }
        guard let candidates = bySize[size], let digest = Self.digest(of: path) else { return nil }
        return candidates.first { $0.digest == digest }?.name
    }

    static func identity(of path: String) -> (Identity, Int64)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)), Int64(info.st_size))
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func digest(of path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Crypto.sha256(data)
    }
}
