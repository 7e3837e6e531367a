import Foundation

/// Recorded and hand-written byte streams of the three wire formats, shipped as resources.
///
/// Recorded against llama.cpp (SmolLM2-135M, temperature 0): `openai-text.sse`, `openai-tool.sse`,
/// `openai-tool.json`, `anthropic-text.sse`, `anthropic-tool.sse`, `anthropic-tool.json`. Written from the
/// vendors' documented stream shapes: `openai-parallel-tools.sse`, `anthropic-parallel-tools.sse`,
/// `ollama-text.ndjson`, `ollama-tool.ndjson`.
public enum Fixtures {
    /// The bytes of fixture `name` (file name with extension).
    public static func bytes(_ name: String) -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url)
        else {
            preconditionFailure("fixture \(name) is missing from CmdopProvidersTesting's resources")
        }
        return [UInt8](data)
    }

    /// The text of fixture `name`.
    public static func text(_ name: String) -> String { String(decoding: bytes(name), as: UTF8.self) }
}
