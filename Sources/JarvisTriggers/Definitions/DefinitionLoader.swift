import Foundation

/// Loads every `Triggers/*.yaml` and `Webhooks/*.yaml`: all valid definitions, and for each file
/// that is not, a `DefinitionError` — one bad file never hides the others.
///
/// ```swift
/// let loaded = DefinitionLoader.load(triggersDirectory: "Triggers", webhooksDirectory: "Webhooks",
///                                    promptsDirectory: "Prompts", environment: ProcessInfo.processInfo.environment)
/// for error in loaded.errors { print(error) }   // Triggers/nightly.yaml:4: schedule.cron: ...
/// ```
public enum DefinitionLoader {
    /// What a load produced.
    public struct Result: Sendable {
        /// Valid triggers, sorted by name.
        public var triggers: [TriggerDefinition]
        /// Valid webhooks, sorted by name.
        public var webhooks: [WebhookDefinition]
        /// One error per unusable file (and per duplicate name), in file order.
        public var errors: [DefinitionError]
    }

    /// Loads both directories. A missing directory simply has no definitions.
    /// - Parameters:
    ///   - triggersDirectory: the `Triggers/` directory (files ending `.yaml` or `.yml`).
    ///   - webhooksDirectory: the `Webhooks/` directory.
    ///   - promptsDirectory: the `Prompts/` directory `prompt_file:` is relative to.
    ///   - environment: where webhook secrets are read from (usually the process environment).
    public static func load(triggersDirectory: String?, webhooksDirectory: String?, promptsDirectory: String?,
                            environment: [String: String]) -> Result {
        var errors: [DefinitionError] = []
        let triggers = collect(in: triggersDirectory, kind: "trigger", name: \.name, errors: &errors) { yaml, path in
            try TriggerDefinition.parse(yaml: yaml, file: path, promptsDirectory: promptsDirectory)
        }
        let webhooks = collect(in: webhooksDirectory, kind: "webhook", name: \.name, errors: &errors) { yaml, path in
            try WebhookDefinition.parse(yaml: yaml, file: path, environment: environment)
        }
        return Result(triggers: triggers.sorted { $0.name < $1.name }, webhooks: webhooks.sorted { $0.name < $1.name },
                      errors: errors)
    }

    /// Parses every YAML file in `directory`; a file that fails, or repeats an earlier file's name,
    /// adds its error and is left out.
    private static func collect<Definition>(
        in directory: String?, kind: String, name: (Definition) -> String, errors: inout [DefinitionError],
        parse: (String, String) throws -> Definition
    ) -> [Definition] {
        var definitions: [Definition] = []
        var files: [String: String] = [:]
        for path in yamlFiles(in: directory) {
            do {
                let definition = try parse(try read(path), path)
                if let first = files[name(definition)] {
                    errors.append(duplicate(path, name: name(definition), kind: kind, first: first))
                    continue
                }
                files[name(definition)] = path
                definitions.append(definition)
            } catch let error as DefinitionError {
                errors.append(error)
            } catch {
                errors.append(DefinitionError(file: path, line: 1, key: "", message: "\(error)"))
            }
        }
        return definitions
    }

    /// The `.yaml` and `.yml` files directly in `directory`, sorted by name.
    static func yamlFiles(in directory: String?) -> [String] {
        guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
            .sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    private static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DefinitionError(file: path, line: 1, key: "", message: "cannot read the file; check its permissions.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DefinitionError(file: path, line: 1, key: "", message: "the file is not UTF-8 text. Save it as UTF-8.")
        }
        return text
    }

    private static func duplicate(_ path: String, name: String, kind: String, first: String) -> DefinitionError {
        let line = (try? read(path)).flatMap { lineOfNameKey(in: $0) } ?? 1
        return DefinitionError(file: path, line: line, key: "name",
                               message: "the \(kind) name '\(name)' is already used by \(first); names must be unique. "
                                   + "Rename one (set `name:` or rename the file).")
    }

    /// The line of a top-level `name:` key, if the file has one.
    private static func lineOfNameKey(in text: String) -> Int? {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.hasPrefix("name:") {
            return index + 1
        }
        return nil
    }
}
