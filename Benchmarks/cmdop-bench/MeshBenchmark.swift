import CmdopAgent
import CmdopCore
import CmdopIdentity
import CmdopMesh
import CmdopStorage
import Foundation
import Logging

/// The mesh benchmark: fan-out round trips and relay memory per connected agent.
enum MeshBenchmark {
    static func main(arguments: [String]) async {
        var agentCounts = [100, 1000]
        var rounds = 20
        var cmdop = ".build/release/cmdop"
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "mesh": continue
            case "--agents": agentCounts = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--rounds": rounds = Int(iterator.next() ?? "") ?? rounds
            case "--cmdop": cmdop = iterator.next() ?? cmdop
            default:
                print("usage: cmdop-bench mesh [--agents 100,1000] [--rounds 20] [--cmdop PATH]")
                exit(2)
            }
        }
        do {
            for count in agentCounts {
                try await run(agents: count, rounds: rounds, cmdop: cmdop)
            }
        } catch {
            print("benchmark failed: \(error)")
            exit(1)
        }
    }

    static func run(agents count: Int, rounds: Int, cmdop: String) async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/cmdop-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try RelayStore(path: directory + "/relay.db")
        let fleet = try store.ensureFleet(named: "bench").fleet
        let joinKey = try store.createJoinKey(fleetID: fleet.id)
        let operatorKey = try store.createAPIKey(fleetID: fleet.id, scopes: [.admin]).key
        let relay = try RelayProcess(cmdop: cmdop, dataDirectory: directory)
        defer { relay.stop() }
        let endpoint = RelayEndpoint(host: "127.0.0.1", port: relay.port, useTLS: false)
        try await relay.waitUntilReady(endpoint)
        let idleRSS = relay.residentKiB()

        let logger = {
            var logger = Logger(label: "cmdop.bench")
            logger.logLevel = .critical
            return logger
        }()
        let hosts = (0..<count).map { String(format: "sim-%04d", $0) }
        let connectStarted = ContinuousClock.now
        let tasks = try await withThrowingTaskGroup(of: Task<Void, Never>.self) { group in
            var started: [Task<Void, Never>] = []
            for (index, host) in hosts.enumerated() {
                // At most 50 enrolments in flight.
                if index >= 50, let task = try await group.next() { started.append(task) }
                group.addTask {
                    let identity = Ed25519Identity.generate().identity
                    _ = try await MachineAgent.enroll(joinKey: joinKey, endpoint: endpoint, identity: identity,
                                                      hostname: host)
                    let paths = AgentPaths(home: directory + "/agents/\(host)", stateDirectory: directory + "/agents/\(host)")
                    let agent = try MachineAgent(configuration: AgentConfiguration(
                        endpoint: endpoint, fleet: "bench", hostname: host, identity: identity, paths: paths,
                        homeDirectory: directory), logger: logger)
                    return Task { await agent.run() }
                }
            }
            for try await task in group { started.append(task) }
            return started
        }
        defer { tasks.forEach { $0.cancel() } }

        try await MeshClient.connect(to: endpoint, credentials: .apiKey(operatorKey)) { client in
            let deadline = ContinuousClock.now + .seconds(120)
            while try await client.machines().filter(\.online).count < count {
                guard ContinuousClock.now < deadline else { throw MeshError(.timeout, "agents did not all come online") }
                try await Task.sleep(for: .milliseconds(100))
            }
            let connectTime = ContinuousClock.now - connectStarted
            try await Task.sleep(for: .seconds(1))
            let loadedRSS = relay.residentKiB()

            var perHost: [Double] = []
            var fanOuts: [Double] = []
            for _ in 0..<rounds {
                let started = ContinuousClock.now
                let times = try await withThrowingTaskGroup(of: Double.self) { group in
                    for host in hosts {
                        group.addTask {
                            let sent = ContinuousClock.now
                            _ = try await client.ping(host, timeoutMs: 30_000)
                            return (ContinuousClock.now - sent).seconds
                        }
                    }
                    return try await group.reduce(into: [Double]()) { $0.append($1) }
                }
                fanOuts.append((ContinuousClock.now - started).seconds)
                perHost += times
            }
            let perAgentKiB = Double(loadedRSS - idleRSS) / Double(count)
            print("""
                mesh benchmark: \(count) agents on real gRPC streams, relay in its own process
                  enrol + connect all:          \(format(connectTime.seconds)) s
                  fan-out of a no-op (ping), \(rounds) rounds:
                    whole fan-out p50 / p99:    \(ms(percentile(fanOuts, 50))) / \(ms(percentile(fanOuts, 99)))
                    per-host round trip p50/p99: \(ms(percentile(perHost, 50))) / \(ms(percentile(perHost, 99)))
                  relay memory: \(idleRSS) KiB idle, \(loadedRSS) KiB with \(count) agents → \(format(perAgentKiB)) KiB per agent
                """)
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)
        return sorted[max(index, 0)]
    }

    static func ms(_ seconds: Double) -> String { format(seconds * 1000) + " ms" }
    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
