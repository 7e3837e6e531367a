/// Turns path strings into absolute, lexically normalised paths without touching the disk.
///
/// `~`, `$HOME` and `${HOME}` at the start expand to the context's home directory;
/// relative paths are resolved against the working directory (or home when none is
/// known); `.`, `..` and repeated slashes are removed. Symbolic links cannot be seen
/// and are not followed.
struct PathResolver: Sendable, Equatable {
    /// The home directory, normalised.
    let home: String
    /// The directory relative paths are resolved against, normalised.
    let base: String
    /// cmdop's own files, normalised: never readable or writable through the gate.
    let protected: [String]

    init(context: GateContext) {
        let home = PathResolver.normalise(context.home.isEmpty ? "/" : context.home)
        self.home = home
        if let cwd = context.workingDirectory, !cwd.isEmpty {
            let expanded = PathResolver.expandHome(cwd, home: home)
            self.base = PathResolver.normalise(expanded.hasPrefix("/") ? expanded : home + "/" + expanded)
        } else {
            self.base = home
        }
        self.protected = context.protectedPaths.map { PathResolver.normalise(PathResolver.expandHome($0, home: home)) }
    }

    /// The absolute, normalised form of `path`. `/proc/PID/root/x` is `/x`: a process's root is
    /// another name for the filesystem root, and must not hide protected paths.
    func resolve(_ path: String) -> String {
        let expanded = PathResolver.expandHome(path, home: home)
        let normalised = PathResolver.normalise(expanded.hasPrefix("/") ? expanded : base + "/" + expanded)
        let parts = normalised.split(separator: "/")
        if parts.count >= 3, parts[0] == "proc", parts[2] == "root" {
            return "/" + parts.dropFirst(3).joined(separator: "/")
        }
        return normalised
    }

    /// Whether `path` (already resolved) is one of cmdop's own protected files or inside one.
    func isProtected(_ path: String) -> Bool {
        protected.contains { PathResolver.isWithin(path, $0) }
    }

    /// A path glob with `~` expanded and relative patterns anchored at `base`.
    ///
    /// Patterns that start with a wildcard (`**/.env`) are left relative so they can
    /// match anywhere.
    func resolvePattern(_ pattern: String) -> String {
        if pattern == "~" { return Glob.escape(home) }
        if pattern.hasPrefix("~/") { return Glob.escape(home) + pattern.dropFirst() }
        if pattern.hasPrefix("/") || pattern.first.map({ "*?[".contains($0) }) == true { return pattern }
        return Glob.escape(base) + "/" + pattern
    }

    /// Whether `path` (already resolved) is `directory` or inside it.
    static func isWithin(_ path: String, _ directory: String) -> Bool {
        path == directory || path.hasPrefix(directory == "/" ? "/" : directory + "/")
    }

    /// The last component of `path` (`""` for `/`).
    static func basename(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? ""
    }

    /// Expands a leading `~`, `$HOME` or `${HOME}`.
    static func expandHome(_ path: String, home: String) -> String {
        for prefix in ["~", "${HOME}", "$HOME"] where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            if rest.isEmpty || rest.hasPrefix("/") { return home + rest }
        }
        return path
    }

    /// Removes `.`, `..` and empty components of an absolute path; `..` never climbs above `/`.
    static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
