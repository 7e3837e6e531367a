/// Why a policy file could not be read; the message names the file, the key and the fix.
///
/// `description` reads like `permissions.yaml: key 'mdoe' is not known; expected one
/// of mode, allow, ask, deny`.
public struct PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or other source) the caller named when parsing.
    public var source: String
    /// The top-level key at fault, if any.
    public var key: String?
    /// The 1-based position of the rule within the key's list, if a rule is at fault.
    public var item: Int?
    /// The 1-based line of the problem, when known.
    public var line: Int?
    /// What is wrong and how to fix it, without the source.
    public var problem: String

    public init(source: String, key: String? = nil, item: Int? = nil, line: Int? = nil, problem: String) {
        self.source = source
        self.key = key
        self.item = item
        self.line = line
        self.problem = problem
    }

    public var description: String { "\(source): \(problem)" }
}
