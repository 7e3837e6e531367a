/// The floor: a small table of things no rule, layer or mode can allow.
///
/// | family | denied |
/// | --- | --- |
/// | recursive delete | `rm -r`/`-rf`/`-fr`/`--recursive` of `/`, `/*`, `~`, `$HOME` or `~/*` |
/// | fork bomb | a shell function that runs itself twice, piped or in the background |
/// | filesystem creation | `mkfs*`, `mke2fs`, `mkswap`, `wipefs` on anything under `/dev/` |
/// | protected writes | `/etc/shadow`, `/etc/sudoers(.d)`, block devices, `.env*`, `.git/…`, `~/.ssh/…` |
/// | private key reads | reading `id_*` (not `.pub`), `*.pem`, `*_key` under `~/.ssh` (or host keys under `/etc/ssh`) |
/// | process internals | `/proc/PID/{environ,mem,cwd,fd,map_files}` (another process's secrets or files) |
/// | cmdop's own files | the context's protected paths (identity seed, enrolment, permissions, data) |
///
/// Commands are checked part by part, after wrappers are peeled; writes are
/// redirections, `tee`, `dd of=`, copy destinations and `rm`-like operands. File
/// tools are checked on their path: tools not known to be read-only count as writes.
enum Floor {
    /// A family of protected paths and the reason given when one is touched.
    struct PathRule: Sendable {
        let reason: String
        let pattern: PathPattern
    }

    /// How a protected path is recognised; paths are already resolved (absolute, `~` expanded).
    enum PathPattern: Sendable {
        /// Exactly this path.
        case exact(String)
        /// This path or anything inside it; a leading `~` means the home directory.
        case within(String)
        /// Any path starting with one of these strings.
        case prefix([String])
        /// A `.env` file (`.env`, `.env.local`; not `.env.example`/`.sample`/`.template`).
        case envFile
        /// Any path with this component.
        case component(String)
        /// A private key inside this directory, or the directory itself (copied whole).
        case privateKey(in: String)
        /// A way into another process: `/proc/PID/environ`, `mem`, `cwd/…`, `fd/…`, `map_files/…`.
        case processInternals
    }

    /// Device names whose writes destroy a disk.
    static let blockDevices = [
        "/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme", "/dev/mmcblk", "/dev/disk/", "/dev/mapper/",
        "/dev/md", "/dev/dm-", "/dev/loop",
    ]

    /// Paths that may never be written, by a command or a file tool. Entries are
    /// normalised absolute paths, or start with `~` for the home directory.
    static let protectedWrites: [PathRule] = [
        PathRule(reason: "write to /etc/shadow", pattern: .exact("/etc/shadow")),
        PathRule(reason: "write to /etc/sudoers", pattern: .within("/etc/sudoers")),
        PathRule(reason: "write to /etc/sudoers", pattern: .within("/etc/sudoers.d")),
        PathRule(reason: "write to a block device", pattern: .prefix(blockDevices)),
        PathRule(reason: "write to a .env file", pattern: .envFile),
        PathRule(reason: "write inside a .git directory", pattern: .component(".git")),
        PathRule(reason: "write under ~/.ssh", pattern: .within("~/.ssh")),
    ]

    /// Paths that may never be read.
    static let protectedReads: [PathRule] = [
        PathRule(reason: "read of a private key", pattern: .privateKey(in: "~/.ssh")),
        PathRule(reason: "read of a host private key", pattern: .privateKey(in: "/etc/ssh")),
        PathRule(reason: "read of another process's internals", pattern: .processInternals),
    ]

    /// The floor reason for one simple command, or `nil` when the floor lets it through.
    ///
    /// `unwrapped` is the command's words with wrappers peeled (``CommandUnwrapper/unwrapped(_:)``).
    static func check(_ command: ShellCommand, unwrapped: [String], resolver: PathResolver) -> String? {
        let effects = CommandEffects(command, unwrapped: unwrapped)
        let operands = CommandEffects.operands(effects.arguments, optionsWithArgument: []).operands
        if effects.program == "rm", effects.isRecursive {
            for target in operands where isExplicit(target) {
                let path = resolver.resolve(target)
                if path == "/" || path == "/*" { return "recursive delete of /" }
                if path == resolver.home || path == resolver.home + "/*" {
                    return "recursive delete of the home directory"
                }
            }
        }
        if effects.program.hasPrefix("mkfs") || ["mke2fs", "mkswap", "wipefs"].contains(effects.program),
           let device = operands.first(where: { resolver.resolve($0).hasPrefix("/dev/") }) {
            return "\(effects.program) on a device (\(device))"
        }
        for target in effects.writes {
            if let reason = violation(of: protectedWrites, path: resolver.resolve(target), resolver: resolver) {
                return "\(reason) (\(target))"
            }
        }
        for source in effects.reads {
            if let reason = violation(of: protectedReads, path: resolver.resolve(source), resolver: resolver) {
                return "\(reason) (\(source))"
            }
        }
        return nil
    }

    /// The floor reason for a file tool touching `path`, or `nil`.
    static func check(path: String, access: FileAccess, resolver: PathResolver) -> String? {
        let resolved = resolver.resolve(path)
        let tables: [[PathRule]] = switch access {
        case .list: [[]]  // listing is only refused for cmdop's own files
        case .read: [protectedReads]
        case .write: [protectedWrites, protectedReads]
        }
        for table in tables {
            if let reason = violation(of: table, path: resolved, resolver: resolver) { return "\(reason) (\(path))" }
        }
        return nil
    }

    /// The reason of the first rule in `table` that `path` falls under, or cmdop's own files.
    static func violation(of table: [PathRule], path: String, resolver: PathResolver) -> String? {
        if resolver.isProtected(path) { return "access to cmdop's own files" }
        return table.first(where: { matches($0.pattern, path: path, resolver: resolver) })?.reason
    }

    private static func matches(_ pattern: PathPattern, path: String, resolver: PathResolver) -> Bool {
        let name = PathResolver.basename(path)
        switch pattern {
        case .exact(let protected):
            return path == PathResolver.expandHome(protected, home: resolver.home)
        case .within(let directory):
            return PathResolver.isWithin(path, PathResolver.expandHome(directory, home: resolver.home))
        case .prefix(let prefixes):
            return prefixes.contains(where: path.hasPrefix)
        case .envFile:
            let exempt = [".env.example", ".env.sample", ".env.template", ".env.dist"]
            return (name == ".env" || name.hasPrefix(".env.")) && !exempt.contains(name)
        case .component(let component):
            return path.split(separator: "/").contains { $0 == component }
        case .privateKey(let directory):
            let directory = PathResolver.expandHome(directory, home: resolver.home)
            guard PathResolver.isWithin(path, directory) else { return false }
            if path == directory || name.contains(where: { "*?[".contains($0) }) { return true }
            let identity = name.hasPrefix("id_") && !name.hasSuffix(".pub")
            return identity || name.hasSuffix(".pem") || name.hasSuffix("_key")
        case .processInternals:
            let parts = path.split(separator: "/")
            return parts.count >= 3 && parts[0] == "proc"
                && ["environ", "mem", "cwd", "fd", "map_files"].contains(parts[2])
        }
    }

    /// Whether a delete target names its place outright (absolute or home-based), not relatively.
    private static func isExplicit(_ target: String) -> Bool {
        target.hasPrefix("/") || target.hasPrefix("~") || target.hasPrefix("$HOME") || target.hasPrefix("${HOME}")
    }
}
