import CmdopCore
import CmdopMesh
import CmdopPermissions
import CmdopProviders
import CmdopTesting
import Foundation
import JarvisCore
import JarvisTools

/// `ask_machines` across many real agents: each runs its own loop, whose model call travels back
/// over the relay to jarvis (served by the zero-latency model, so the mesh and loops are timed).
enum AskFanOutBenchmark {
    static func run(agents: Int, rounds: Int) async throws {
        try await TestMesh.with(heartbeat: .seconds(5)) { mesh in
            let fleet = try mesh.fleet("bench")
            let enrolStart = ContinuousClock.now
            let hosts = (1...agents).map { "m-\($0)" }
            for host in hosts { try await mesh.startAgent(host, fleet: fleet) }
            let enrol = ContinuousClock.now - enrolStart
            let model = InstantModel { _ in [.textDelta("ok"), InstantModel.usage, .stop(.endTurn)] }
            let grants = ModelGrants()
            let gate = JarvisGate(policy: try PermissionPolicy(yaml: "mode: bypass\n", source: "bench"))
            let results = try await mesh.withJarvis(fleet, serving: ModelServer(provider: model, grants: grants).handle) { client in
                let tool = FleetTools.all(client: client, gate: gate, grants: grants).first { $0.definition.name == "ask_machines" }!
                let arguments: JSONValue = ["hostnames": .array(hosts.map(JSONValue.string)), "prompt": "Are you healthy?"]
                var samples: [Double] = []
                var failures = 0
                for round in 0...rounds {
                    let started = ContinuousClock.now
                    let outcome = await tool.run(arguments, context: .detached)
                    let elapsed = Stats.milliseconds(ContinuousClock.now - started)
                    let entries = (try? JSONValue(parsing: outcome.content))?["results"]?.arrayValue ?? []
                    failures += entries.filter { $0["ok"]?.boolValue != true }.count + (agents - entries.count)
                    if round > 0 { samples.append(elapsed) }  // round 0 warms up
                }
                return (samples, failures)
            }
            print("""
                ask_machines across \(agents) agents (real relay and agents in this process; each runs its own loop, \
                whose model call goes back to jarvis over the relay)
                  enrol and connect:     \(String(format: "%.1f s", Stats.milliseconds(enrol) / 1000))
                  rounds:                \(rounds)
                  whole fan-out p50/p99: \(Stats.ms(Stats.percentile(results.0, 50))) / \(Stats.ms(Stats.percentile(results.0, 99)))
                  failed entries:        \(results.1)
                  model calls served:    \(grants.spendByMachine.values.reduce(0) { $0 + $1.calls })
                """)
        }
    }
}
