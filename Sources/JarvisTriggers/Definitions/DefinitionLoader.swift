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
        var triggers: [TriggerDefinition] = []
        var webhooks: [WebhookDefinition] = []
        var triggerFiles: [String: String] = [:]
        var webhookFiles: [String: String] = [:]

        for path in yamlFiles(in: triggersDirectory) {
            do {
                let definition = try TriggerDefinition.parse(yaml: try read(path), file: path, promptsDirectory: promptsDirectory)
                if let first = triggerFiles[definition.name] {
                    errors.append(duplicate(path, name: definition.name, kind: "trigger", first: first))
                    continue
                }
                triggerFiles[definition.name] = path
                triggers.append(definition)
            } catch let error as DefinitionError {
                errors.append(error)
            } catch {
                errors.append(DefinitionError(file: path, line: 1, key: "", message: "\(error)"))
            }
        }
        for path in yamlFiles(in: webhooksDirectory) {
            do {
                let definition = try WebhookDefinition.parse(yaml: try read(path), file: path, environment: environment)
                if let first = webhookFiles[definition.name] {
                    errors.append(duplicate(path, name: definition.name, kind: "webhook", first: first))
                    continue
                }
                webhookFiles[definition.name] = path
                webhooks.append(definition)
            } catch let error as DefinitionError {
                errors.append(error)
            } catch {
                errors.append(DefinitionError(file: path, line: 1, key: "", message: "\(error)"))
            }
        }
        return Result(triggers: triggers.sorted { $0.name < $1.name }, webhooks: webhooks.sorted { $0.name < $1.name },
                      errors: errors)
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
