/// Facts about the caller's environment that the gate needs but must not read itself.
///
/// The gate performs no I/O: the home directory, working directory and local host
/// name are handed in once, when the gate is built.
public struct GateContext: Sendable, Equatable {
    /// The home directory that `~` and `$HOME` expand to, e.g. `/home/u`.
    public var home: String
    /// The directory relative paths are resolved against; `home` when `nil`.
    public var workingDirectory: String?
    /// The name of the machine the gate runs on, used as the target of requests without one.
    public var localHost: String?
    /// Files and folders that may be neither read nor written through the gate: cmdop's own
    /// identity seed, enrolment, permissions file and data directory.
    public var protectedPaths: [String]

    public init(home: String, workingDirectory: String? = nil, localHost: String? = nil,
                protectedPaths: [String] = []) {
        self.home = home
        self.workingDirectory = workingDirectory
        self.localHost = localHost
        self.protectedPaths = protectedPaths
    }
}
