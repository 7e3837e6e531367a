import CmdopIdentity
import CmdopPermissions
import Foundation
import Synchronization

/// The machine's own `permissions.yaml`, re-read whenever it changes on disk.
///
/// A missing file means `strict` with no rules: a headless agent allows nothing it was not told to.
public final class PermissionsFile: Sendable {
    public let path: String
    private let cache = Mutex<(stamp: String, policy: PermissionPolicy)?>(nil)

    /// The starter policy `cmdop join` writes: read-only inspection allowed, everything else denied.
    public static let starter = """
        # What the mesh may do on this machine. Order: the floor (never allowed) → rules
        # (deny beats ask beats allow) → mode (strict: deny what no rule allows).
        # Add a rule: cmdop permissions allow 'execute_command(systemctl restart nginx)'
        # `*` is one word or path component, `**` any number. The text filters (head, tail, grep,
        # wc) can read any file this agent's user can, except what the floor protects.
        mode: strict
        allow:
          - "execute_command(uptime)"
          - "execute_command(hostname)"
          - "execute_command(whoami)"
          - "execute_command(id)"
          - "execute_command(date)"
          - "execute_command(w)"
          - "execute_command(who)"
          - "execute_command(uname **)"
          - "execute_command(df **)"
          - "execute_command(free **)"
          - "execute_command(du **)"
          - "execute_command(ps **)"
          - "execute_command(ls **)"
          - "execute_command(lsblk **)"
          - "execute_command(ip -brief addr)"
          - "execute_command(ip addr show **)"
          - "execute_command(ss -tlnp)"
          - "execute_command(systemctl status **)"
          - "execute_command(systemctl --failed **)"
          - "execute_command(journalctl **)"
          - "execute_command(cat /proc/loadavg)"
          - "execute_command(cat /proc/meminfo)"
          - "execute_command(cat /proc/uptime)"
          - "execute_command(cat /proc/cpuinfo)"
          - "execute_command(cat /etc/os-release)"
          - "execute_command(head **)"
          - "execute_command(tail **)"
          - "execute_command(grep **)"
          - "execute_command(wc **)"
          - "read_file(/var/log/**)"
          - "read_file(/proc/loadavg)"
          - "read_file(/proc/meminfo)"
          - "list_dir(**)"
        deny:
          # No writes through redirections, whatever command they hang on.
          - "execute_command(** > **)"
          - "execute_command(** >> **)"

        """

    public init(path: String) { self.path = path }

    /// The current policy.
    /// - Throws: the policy's parse error (naming the file and key) when the file is malformed.
    public func policy() throws -> PermissionPolicy {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return try PermissionPolicy(yaml: "mode: strict\n", source: path)
        }
        let stamp = "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec).\(info.st_size)"
        if let cached = cache.withLock({ $0 }), cached.stamp == stamp { return cached.policy }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MeshAgentError("\(path): cannot read the permissions file; check its owner")
        }
        let policy = try PermissionPolicy(yaml: String(decoding: data, as: UTF8.self), source: path)
        cache.withLock { $0 = (stamp, policy) }
        return policy
    }

    /// Writes `policy` atomically with mode 0600.
    public func save(_ policy: PermissionPolicy) throws {
        try SecureFile.writeAtomically(Data(policy.yaml().utf8), to: path)
    }

    /// Writes the starter policy unless a file is already there.
    public func createStarterIfMissing() throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try SecureFile.writeAtomically(Data(Self.starter.utf8), to: path)
    }
}
