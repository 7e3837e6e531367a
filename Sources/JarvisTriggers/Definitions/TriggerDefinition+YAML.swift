import Foundation
import JarvisSchedule
import Yams

/// Reading a trigger from YAML with strict validation.
extension TriggerDefinition {
    static let keys = ["name", "schedule", "prompt", "prompt_file", "targets", "model", "budget", "overlap", "missed", "enabled"]

    /// Parses one trigger file.
    ///
    /// Keys (unknown keys are rejected):
    /// - `name` (string `[a-z0-9_-]`, default: the file name without `.yaml`).
    /// - `schedule` (required): `cron: "30 2 * * *"` with optional `timezone: Europe/Berlin` (IANA name,
    ///   default UTC), or `every: 15m` (a whole number and one unit of s, m, h, d; at least 10s).
    /// - `prompt` (string) or `prompt_file` (a file under `Prompts/`, which must exist): exactly one.
    /// - `targets` (required): `all` or a list of machine names or prefixes.
    /// - `model` (string, optional): an alias such as `@fast` or a model name.
    /// - `budget` (optional): `max_turns` 1–50, `max_tokens`, `max_cost`, `timeout` (seconds, ≤ 600).
    /// - `overlap`: `skip` (default) | `queue` | `cancel-previous`.
    /// - `missed`: `skip` (default) | `run-once`.
    /// - `enabled`: true (default) | false.
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - file: the path used in errors; its stem is the default name.
    ///   - promptsDirectory: the `Prompts/` directory `prompt_file` is relative to.
    /// - Throws: `DefinitionError` naming the file, line, key and fix.
    public static func parse(yaml: String, file: String, promptsDirectory: String?) throws -> TriggerDefinition {
        let reader = DefinitionReader(file: file)
        let root = try reader.root(of: yaml, emptyHint: "Add at least `schedule:`, `prompt:` and `targets:`.")
        let entries = try reader.mapping(root, "", allowed: keys)
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension

        let name = try reader.name(byName["name"]?.value, root: root, stem: stem, kind: "trigger")
        guard let scheduleEntry = byName["schedule"] else {
            throw reader.fail(root, "schedule", "missing; add `schedule:` with `cron: \"30 2 * * *\"` or `every: 15m`.")
        }
        let schedule = try readSchedule(scheduleEntry.value, reader)
        let (prompt, promptFile) = try readPrompt(byName, root: root, promptsDirectory: promptsDirectory, reader)
        guard let targetsEntry = byName["targets"] else {
            throw reader.fail(root, "targets", "missing; add `targets: all` or a list of machine names such as [web-1, db-].")
        }
        var definition = TriggerDefinition(
            name: name, schedule: schedule, prompt: prompt,
            targets: try reader.targets(targetsEntry.value, "targets"), promptFile: promptFile, file: file)
        if let entry = byName["model"] { definition.model = try reader.model(entry.value, "model") }
        if let entry = byName["budget"] { definition.limits = try reader.limits(entry.value, "budget") }
        if let entry = byName["overlap"] { definition.overlap = try reader.choice(entry.value, "overlap", OverlapPolicy.self) }
        if let entry = byName["missed"] { definition.missed = try reader.choice(entry.value, "missed", MissedRunPolicy.self) }
        if let entry = byName["enabled"] { definition.enabled = try reader.bool(entry.value, "enabled") }
        return definition
    }

    private static func readSchedule(_ node: Node, _ reader: DefinitionReader) throws -> TriggerSchedule {
        let entries = try reader.mapping(node, "schedule", allowed: ["cron", "timezone", "every"])
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        switch (byName["cron"], byName["every"]) {
        case (.some(let cron), nil):
            var timeZone = TimeZone(identifier: "UTC") ?? .gmt
            if let zone = byName["timezone"] {
                let identifier = try reader.string(zone.value, "schedule.timezone")
                guard let parsed = TimeZone(identifier: identifier) else {
                    throw reader.fail(zone.value, "schedule.timezone",
                                      "'\(identifier)' is not a time zone. Use an IANA name such as Europe/Berlin, America/New_York or UTC.")
                }
                timeZone = parsed
            }
            let text = try reader.string(cron.value, "schedule.cron")
            let expression: CronExpression
            do {
                expression = try CronExpression(text, timeZone: timeZone)
            } catch let error as CronError {
                throw reader.fail(cron.value, "schedule.cron", "\(error.message). Fix the expression, e.g. \"30 2 * * *\" for 02:30 every day.")
            }
            guard expression.nextFire(after: Date()) != nil else {
                throw reader.fail(cron.value, "schedule.cron", "'\(text)' never fires (no such day, e.g. 30 February); fix the day and month fields.")
            }
            return .cron(expression)
        case (nil, .some(let every)):
            if let zone = byName["timezone"] {
                throw reader.fail(zone.keyNode, "schedule.timezone", "only applies to `cron:`; remove it (intervals do not depend on a time zone).")
            }
            let text = every.value.string ?? ""
            guard let seconds = TriggerSchedule.parseInterval(text) else {
                throw reader.fail(every.value, "schedule.every",
                                  "'\(text)' is not an interval. Write a whole number and a unit: s, m, h or d, e.g. 15m or 6h.")
            }
            guard seconds >= 10 else {
                throw reader.fail(every.value, "schedule.every", "'\(text)' is too short; the shortest interval is 10s.")
            }
            return .interval(seconds)
        case (.some, .some(let every)):
            throw reader.fail(every.keyNode, "schedule.every", "use either `cron:` or `every:`, not both; remove one.")
        case (nil, nil):
            throw reader.fail(node, "schedule", "needs `cron: \"30 2 * * *\"` (with optional `timezone:`) or `every: 15m`.")
        }
    }

    private static func readPrompt(_ byName: [String: DefinitionReader.Entry], root: Node, promptsDirectory: String?,
                                   _ reader: DefinitionReader) throws -> (String, String?) {
        switch (byName["prompt"], byName["prompt_file"]) {
        case (.some(let inline), nil):
            return (try reader.string(inline.value, "prompt"), nil)
        case (nil, .some(let entry)):
            let relative = try reader.string(entry.value, "prompt_file")
            let text = try PromptFile.read(relative, promptsDirectory: promptsDirectory, node: entry.value, reader: reader)
            return (text, relative)
        case (.some, .some(let entry)):
            throw reader.fail(entry.keyNode, "prompt_file", "use either `prompt:` or `prompt_file:`, not both; remove one.")
        case (nil, nil):
            throw reader.fail(root, "prompt", "missing; add `prompt: ...` or `prompt_file: NAME.md` (a file in Prompts/).")
        }
    }
}
