/// The machines a run addresses: the whole fleet, or machines named by name or unique prefix.
public enum TargetSelection: Sendable, Hashable, CustomStringConvertible {
    /// Every machine in the fleet (`targets: all`).
    case all
    /// These names or prefixes, in the order written, without duplicates.
    case machines([String])

    public var description: String {
        switch self {
        case .all: "all"
        case .machines(let names): names.joined(separator: ", ")
        }
    }
}
