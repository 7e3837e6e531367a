import Foundation
import Yams

/// Reads a `prompt_file:` from the `Prompts/` directory, refusing paths that leave it.
enum PromptFile {
    static func read(_ relative: String, promptsDirectory: String?, node: Node, reader: DefinitionReader) throws -> String {
        guard let promptsDirectory else {
            throw reader.fail(node, "prompt_file", "no Prompts/ directory was given to the loader; write the prompt inline with `prompt:`.")
        }
        let components = relative.split(separator: "/")
        guard !relative.hasPrefix("/"), !relative.hasPrefix("~"), !components.contains("..") else {
            throw reader.fail(node, "prompt_file", "'\(relative)' must be a path inside Prompts/ (no leading '/', '~' or '..').")
        }
        let path = (promptsDirectory as NSString).appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            throw reader.fail(node, "prompt_file", "\(path) does not exist. Create it, or fix the name (it is relative to Prompts/).")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw reader.fail(node, "prompt_file", "\(path) is not UTF-8 text. Save it as UTF-8.")
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw reader.fail(node, "prompt_file", "\(path) is empty. Write the prompt into it.")
        }
        return text
    }
}
