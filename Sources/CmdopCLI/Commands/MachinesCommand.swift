import ArgumentParser
import CmdopCore
import CmdopMesh
import Foundation

/// `cmdop machines [--json]`.
struct MachinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machines", abstract: "List the machines of your fleet with their presence.")

    @OptionGroup var connection: OperatorOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let machines = try await MeshClient.connect(to: try connection.endpoint(),
                                                    credentials: try connection.credentials()) { client in
            try await client.machines()
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(machines), as: UTF8.self))
            return
        }
        let rows = machines.map { machine in
            [machine.hostname, machine.name, machine.online ? "online" : "offline",
             machine.heartbeatAgeSeconds < 0 ? "-" : "\(machine.heartbeatAgeSeconds)s",
             machine.agentVersion, machine.os, machine.isJarvis ? "jarvis" : "agent", machine.id]
        }
        print(TextTable.render(header: ["HOSTNAME", "NAME", "STATUS", "HEARTBEAT", "VERSION", "OS", "KIND", "ID"],
                               rows: rows))
    }
}

/// Left-aligned columns separated by two spaces.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
