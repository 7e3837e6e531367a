import CmdopPermissions
import Foundation

/// The pure permission gate's cost per decision: a compound command (cd, git, an env-prefixed sudo,
/// a pipe, a command substitution) against 51 allow rules and a deny rule, as a machine checks it
/// before every command.
enum GateBenchmark {
    static func run(decisions: Int = 20_000) throws {
        var policy = PermissionPolicy(mode: .default)
        for rule in (0..<50).map({ "execute_command(tool\($0) *)" }) + ["execute_command(git *)"] {
            policy = try policy.adding(rule, effect: .allow)
        }
        policy = try policy.adding("execute_command(rm **)", effect: .deny)
        let gate = PermissionGate(layers: [policy], mode: .default,
                                  context: GateContext(home: "/home/u", workingDirectory: "/home/u/app", localHost: "bench"))
        let command = "cd /srv/app && git pull --rebase && FOO=1 sudo make build 2>&1 | tee build.log; echo $(date)"
        var rounds: [Double] = []
        for _ in 0..<5 {
            let started = ContinuousClock.now
            for _ in 0..<decisions { _ = gate.decide(.command(command)) }
            rounds.append((ContinuousClock.now - started) / .microseconds(1) / Double(decisions))
        }
        rounds.sort()
        print("""
            permission gate (a 5-part compound command, 52 rules), \(decisions) decisions x 5 rounds
              per decision p50 / best:   \(String(format: "%.1f / %.1f µs", rounds[2], rounds[0]))
            """)
    }
}
