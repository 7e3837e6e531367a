/// A trigger or webhook file that cannot be used, naming the file, the line, the key and the fix.
public struct DefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, as the loader found it.
    public let file: String
    /// The 1-based line the problem is on (the start of the file when the whole file is at fault).
    public let line: Int
    /// The key path, e.g. `schedule.cron` or `filters[1].equals`.
    public let key: String
    /// What is wrong and how to fix it.
    public let message: String

    /// Creates an error.
    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = max(line, 1)
        self.key = key
        self.message = message
    }

    /// `file:line: key: message`.
    public var description: String {
        key.isEmpty ? "\(file):\(line): \(message)" : "\(file):\(line): \(key): \(message)"
    }
}
