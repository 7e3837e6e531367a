import Foundation

/// A trigger from `Triggers/NAME.yaml`: a prompt jarvis runs on a schedule against some machines.
///
/// ```yaml
/// schedule:
///   cron: "30 2 * * *"
///   timezone: Europe/Berlin
/// prompt_file: nightly-health.md
/// targets: all
/// ```
public struct TriggerDefinition: Sendable, Equatable {
    /// `[a-z0-9_-]`, unique across trigger files; defaults to the file name without `.yaml`.
    public var name: String
    /// When it fires.
    public var schedule: TriggerSchedule
    /// The prompt text (read from `prompt_file` at load time when the file names one).
    public var prompt: String
    /// The `prompt_file` it came from, relative to `Prompts/`, if any.
    public var promptFile: String?
    /// The machines the run addresses.
    public var targets: TargetSelection
    /// A model alias (`@fast`) or name; nil for the runtime's default.
    public var model: String?
    /// Per-run limits.
    public var limits: RunLimits
    /// What happens when it comes due while still running.
    public var overlap: OverlapPolicy
    /// What happens to fires missed while the scheduler was down.
    public var missed: MissedRunPolicy
    /// Whether the file enables it; `cmdop trigger enable/disable` overrides this, persistently.
    public var enabled: Bool
    /// The file it was loaded from, for messages; nil when built in code.
    public var file: String?

    /// Creates a definition in code (the loader builds them from YAML).
    public init(name: String, schedule: TriggerSchedule, prompt: String, targets: TargetSelection = .all,
                model: String? = nil, limits: RunLimits = RunLimits(), overlap: OverlapPolicy = .skip,
                missed: MissedRunPolicy = .skip, enabled: Bool = true, promptFile: String? = nil, file: String? = nil) {
        self.name = name
        self.schedule = schedule
        self.prompt = prompt
        self.promptFile = promptFile
        self.targets = targets
        self.model = model
        self.limits = limits
        self.overlap = overlap
        self.missed = missed
        self.enabled = enabled
        self.file = file
    }
}
