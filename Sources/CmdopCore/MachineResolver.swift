/// Resolves a machine reference the way every tool that takes a host does.
///
/// Order: UUID (8-4-4-4-12, case-insensitive, no fall-through) → exact hostname (lower-cased) →
/// exact display name → unique prefix over hostname and name → unique substring → otherwise
/// `ambiguous` listing the candidates. References of one character are rejected.
public enum MachineResolver {
    /// Picks the one machine `reference` names among `machines` (all of one fleet).
    /// - Throws: `MeshError` with `.invalidArgument`, `.notFound` or `.ambiguous`.
    public static func resolve(_ reference: String, among machines: [MachineSummary]) throws -> MachineSummary {
        let ref = reference.trimmingWhitespace()
        guard !ref.isEmpty else {
            throw MeshError(.invalidArgument, "no machine given: name a hostname, display name or machine id")
        }
        let lowered = ref.lowercased()
        if isUUID(lowered) {
            if let hit = machines.first(where: { $0.id.lowercased() == lowered }) { return hit }
            throw MeshError(.notFound, "no machine with id \(lowered) in this fleet (run `cmdop machines`)")
        }
        if let hit = machines.first(where: { $0.hostname == lowered }) { return hit }
        let byName = machines.filter { $0.name == ref }
        if byName.count == 1 { return byName[0] }
        if byName.count > 1 { throw ambiguous(ref, byName) }
        guard ref.count >= 2 else {
            throw MeshError(
                .invalidArgument,
                "'\(ref)' is too short to pick a machine: give at least two characters, or the full hostname")
        }
        let prefixed = machines.filter { $0.hostname.hasPrefix(lowered) || $0.name.lowercased().hasPrefix(lowered) }
        if prefixed.count == 1 { return prefixed[0] }
        if prefixed.count > 1 { throw ambiguous(ref, prefixed) }
        let contained = machines.filter { $0.hostname.contains(lowered) || $0.name.lowercased().contains(lowered) }
        if contained.count == 1 { return contained[0] }
        if contained.count > 1 { throw ambiguous(ref, contained) }
        throw MeshError(.notFound, "no machine matches '\(ref)' in this fleet (run `cmdop machines` to list them)")
    }

    /// True for the canonical 8-4-4-4-12 hex form.
    public static func isUUID(_ value: String) -> Bool {
        let groups = value.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    private static func ambiguous(_ ref: String, _ matches: [MachineSummary]) -> MeshError {
        let names = matches.map(\.hostname).sorted()
        return MeshError(
            .ambiguous, "'\(ref)' matches \(names.count) machines: \(names.joined(separator: ", ")); be more specific",
            candidates: names)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
