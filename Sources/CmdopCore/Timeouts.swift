/// Timeout rules shared by the CLI, the relay and jarvis's tools (see `cmdop-facts.md`).
public enum Timeouts {
    /// A single call: clamped to [1 ms, 600 s]; 0 or absent means the 120 s default.
    public static func singleCall(milliseconds: Int?) -> Int {
        guard let ms = milliseconds, ms != 0 else { return 120_000 }
        return min(max(ms, 1), 600_000)
    }

    /// Per host in a fan-out: clamped to [1 s, 300 s], default 120 s.
    public static func fanOutPerHost(milliseconds: Int?) -> Int {
        guard let ms = milliseconds, ms != 0 else { return 120_000 }
        return min(max(ms, 1_000), 300_000)
    }

    /// A whole fan-out: clamped to [1 s, 600 s], default 240 s.
    public static func fanOutTotal(milliseconds: Int?) -> Int {
        guard let ms = milliseconds, ms != 0 else { return 240_000 }
        return min(max(ms, 1_000), 600_000)
    }

    /// Hostnames de-duplicated in order of first appearance (case-insensitively).
    public static func deduplicated(_ hosts: [String]) -> [String] {
        var seen = Set<String>()
        return hosts.filter { seen.insert($0.lowercased()).inserted }
    }
}
