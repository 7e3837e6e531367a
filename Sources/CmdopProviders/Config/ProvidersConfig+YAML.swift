import Foundation
import Yams

/// Loading ``ProvidersConfig`` from YAML with strict validation.
extension ProvidersConfig {
    /// Loads and validates a YAML file.
    ///
    /// Keys (snake_case; unknown keys are rejected):
    /// - `providers` (list, required): each with `name` (string `[a-z0-9_-]`, unique, required), `wire`
    ///   (`ollama` | `openAIChat` | `anthropicMessages`, required), `base_url` (http/https URL, required),
    ///   `api_key_env` (environment variable NAME, optional, default none), `default_model` (string, required),
    ///   `num_ctx` (positive integer, optional), `price_per_million_input` / `price_per_million_output`
    ///   (non-negative numbers, default 0).
    /// - `aliases` (map, optional): `"@name": { provider: NAME, model: MODEL? }`.
    /// - `fallback` (list of provider names, optional): the fallback chain, first choice first.
    /// - Parameter path: the file; `~` is expanded.
    /// - Throws: ``ConfigError`` naming the file, line, key and fix.
    public static func load(path: String) throws -> ProvidersConfig {
        let expanded = (path as NSString).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw ConfigError(
                file: path, line: nil, key: "",
                message: "cannot read the file. Create it (see `cmdop llm doctor` for an example) or pass the right "
                    + "path.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, key: "", message: "the file is not UTF-8 text. Save it as UTF-8.")
        }
        return try load(yaml: text, file: path)
    }

    /// Parses and validates YAML text.
    /// - Parameters:
    ///   - yaml: the document.
    ///   - file: the name used in error messages.
    /// - Throws: ``ConfigError``.
    public static func load(yaml: String, file: String) throws -> ProvidersConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: Self.line(of: error), key: "", message: "not valid YAML: \(error). Fix the syntax.")
        } catch {
            throw ConfigError(file: file, line: nil, key: "", message: "not valid YAML: \(error). Fix the syntax.")
        }
        var reader = ConfigReader(file: file)
        guard let root else {
            throw ConfigError(file: file, line: nil, key: "", message: "the file is empty. Add a `providers:` list.")
        }
        return try reader.readRoot(root)
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}
