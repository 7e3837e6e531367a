import CmdopAgent
import CmdopMesh
import CmdopTesting
import Foundation

/// What the exec supervisor adds: one agent with it, one without, side by side on one relay.
/// Each round runs `true` (one command: the shell's exec, checked), then a shell loop that starts
/// /bin/true 1,000 times (1,000 checked execs).
enum ExecBenchmark {
    static let policy = "mode: bypass\ndeny:\n  - \"execute_command(rm **)\"\n  - \"execute_command(curl **)\"\n"
    static let loop = "i=0; while test $i -lt 1000; do /bin/true; i=$((i+1)); done"

    static func run(rounds: Int) async throws {
        guard ExecSupervisor.isAvailable else {
            print("exec supervisor: this kernel has no seccomp user notification; nothing to measure")
            return
        }
        try await TestMesh.with { mesh in
            let fleet = try mesh.fleet("bench")
            _ = try await mesh.startAgent("plain", fleet: fleet, permissions: policy) { $0.superviseExecs = false }
            _ = try await mesh.startAgent("supervised", fleet: fleet, permissions: policy)
            try await mesh.withClient(fleet.operatorKey) { client in
                var single: [String: [Double]] = [:]
                var loops: [String: [Double]] = [:]
                for host in ["plain", "supervised"] { for _ in 0..<5 { _ = try await client.exec(on: host, command: "true") } }
                for _ in 0..<rounds {
                    for host in ["plain", "supervised"] {
                        single[host, default: []].append(try await time { _ = try await client.exec(on: host, command: "true") })
                        loops[host, default: []].append(try await time { _ = try await client.exec(on: host, command: loop) })
                    }
                }
                let one = (median(single["supervised"]!) - median(single["plain"]!)) * 1000
                let plainLoop = median(loops["plain"]!), supervisedLoop = median(loops["supervised"]!)
                print("""
                    exec supervisor (seccomp user notification), median of \(rounds) alternating rounds
                      `true` through the relay:        \(String(format: "%.2f", median(single["plain"]!) * 1000)) ms plain, \(String(format: "%.2f", median(single["supervised"]!) * 1000)) ms supervised (+\(String(format: "%.2f", one)) ms; aim ≤ 1 ms)
                      1,000 /bin/true in a shell loop: \(String(format: "%.2f", plainLoop)) s plain, \(String(format: "%.2f", supervisedLoop)) s supervised (+\(String(format: "%.0f", (supervisedLoop / plainLoop - 1) * 100)) %; aim ≤ 20 %)
                    """)
            }
        }
    }

    private static func time(_ body: () async throws -> Void) async throws -> Double {
        let started = ContinuousClock.now
        try await body()
        return (ContinuousClock.now - started) / .seconds(1)
    }

    private static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
