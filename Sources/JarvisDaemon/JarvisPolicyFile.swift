import CmdopIdentity
import CmdopPermissions
import Foundation

/// jarvis's own permission gate, as a file next to its identity. The starter lets jarvis look
/// around and ask machines (whose own permissions still decide), and sends everything else to an
/// on-call human.
public enum JarvisPolicyFile {
    public static let starter = """
        # jarvis's own gate, checked before anything reaches a machine (whose permissions.yaml decides
        # again: both must allow). Order: the floor → rules (deny beats ask beats allow) → mode.
        # mode default: a call no rule allows waits for an on-call approval (cmdop approvals).
        # Rules: tool(HOST:COMMAND) for run_command, tool(HOST:PATH) for read_file, tool(HOST) for asks.
        mode: default
        allow:
          - "list_machines"
          - "ask_machine(*)"
          - "read_file(*:/var/log/**)"
          - "run_command(*:uptime)"
          - "run_command(*:hostname)"
          - "run_command(*:df **)"
          - "run_command(*:free **)"
          - "run_command(*:systemctl status **)"
          - "run_command(*:systemctl --failed **)"
          - "run_command(*:journalctl **)"
        deny:
          - "run_command(*:rm -rf **)"
        """

    /// The policy at `path`, written from the starter first when missing (mode 0600).
    /// - Throws: `PolicyError` naming the file and the bad key or rule.
    public static func load(path: String) throws -> PermissionPolicy {
        if !FileManager.default.fileExists(atPath: path) {
            try SecureFile.writeAtomically(Data(starter.utf8), to: path)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try PermissionPolicy(yaml: text, source: path)
    }
}
