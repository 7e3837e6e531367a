@testable import CmdopPermissions

/// Shared fixtures: a fixed home, working directory and local host, and gate builders.
enum Fixture {
    static let context = GateContext(home: "/home/u", workingDirectory: "/home/u/projects/app", localHost: "laptop")

    /// A policy from allow/ask/deny rule texts; the texts are known good.
    static func policy(
        mode: PermissionMode = .default, allow: [String] = [], ask: [String] = [], deny: [String] = []
    ) -> PermissionPolicy {
        var policy = PermissionPolicy(mode: mode)
        for (effect, texts) in [(Decision.allow, allow), (.ask, ask), (.deny, deny)] {
            for text in texts {
                policy = try! policy.adding(text, effect: effect)
            }
        }
        return policy
    }

    /// A gate over one policy layer with the given mode.
    static func gate(
        _ mode: PermissionMode = .default, allow: [String] = [], ask: [String] = [], deny: [String] = []
    ) -> PermissionGate {
        PermissionGate(layers: [policy(allow: allow, ask: ask, deny: deny)], mode: mode, context: context)
    }
}
