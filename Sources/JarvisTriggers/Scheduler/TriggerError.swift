/// A scheduler request that cannot be carried out, worded for the operator.
public struct TriggerError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
