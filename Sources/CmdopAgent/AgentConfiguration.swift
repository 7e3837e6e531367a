import CmdopIdentity
import CmdopMesh
import Foundation

/// Everything a machine daemon needs to run.
public struct AgentConfiguration: Sendable {
    public var endpoint: RelayEndpoint
    public var fleet: String
    public var hostname: String
    public var name: String
    public var identity: Ed25519Identity
    public var paths: AgentPaths
    /// The default working directory and what `~` means in paths.
    public var homeDirectory: String
    public var backoff: Backoff
    /// The most bytes one `read_file` returns (the result says `truncated` beyond it).
    public var readFileCap: UInt64
    public var listDirCap: Int
    /// Between SIGTERM and SIGKILL when a command is cancelled or times out.
    public var killGrace: Duration
    /// The umask commands run with (default 022; the CLI passes the umask cmdop was started with,
    /// or `--umask`). cmdop keeps 077 for its own files only, so `touch f` through the mesh makes
    /// the same 0644 file as at a terminal.
    public var commandUmask: mode_t
    /// Whether every program a command starts is checked as it is exec'd (when the kernel can).
    public var superviseExecs = true
    public var outputChunkBytes: Int
    /// Files no request may read or write: the agent's home (seed, enrolment, permissions) and
    /// state (audit log); `cmdop up` adds its data directory.
    public var protectedPaths: [String]

    public init(endpoint: RelayEndpoint, fleet: String, hostname: String, name: String = "",
                identity: Ed25519Identity, paths: AgentPaths, homeDirectory: String = NSHomeDirectory(),
                backoff: Backoff = Backoff(), readFileCap: UInt64 = 1 << 20, listDirCap: Int = 10_000,
                killGrace: Duration = .seconds(3), outputChunkBytes: Int = 32 << 10, commandUmask: mode_t = 0o022) {
        self.endpoint = endpoint
        self.fleet = fleet
        self.hostname = hostname.lowercased()
        self.name = name.isEmpty ? hostname : name
        self.identity = identity
        self.paths = paths
        self.homeDirectory = homeDirectory
        self.backoff = backoff
        self.readFileCap = readFileCap
        self.listDirCap = listDirCap
        self.killGrace = killGrace
        self.commandUmask = commandUmask & 0o777
        self.outputChunkBytes = outputChunkBytes
        self.protectedPaths = [paths.home, paths.stateDirectory]
    }
}
