/// A configuration file that cannot be used, naming the file, the line, the key and the fix.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (path as given).
    public let file: String
    /// 1-based line, when known.
    public let line: Int?
    /// The key path, e.g. `providers[1].wire`.
    public let key: String
    /// What is wrong and how to fix it.
    public let message: String

    /// Creates an error.
    public init(file: String, line: Int?, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `file:line: key: message`.
    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(location): \(message)" : "\(location): \(key): \(message)"
    }
}
