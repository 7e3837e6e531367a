import CmdopCore
import CmdopMesh
import Foundation

/// A `cmdop server` child process on a free loopback port.
final class RelayProcess: Sendable {
    let port: Int
    private let process: Process

    init(cmdop: String, dataDirectory: String) throws {
        guard FileManager.default.isExecutableFile(atPath: cmdop) else {
            throw MeshError(.invalidArgument, "\(cmdop) is not an executable; build it (`swift build -c release --product cmdop`) or pass --cmdop")
        }
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: cmdop)
        process.arguments = ["server", "run", "--listen", "127.0.0.1:\(port)", "--data-dir", dataDirectory, "--no-jarvis"]
        var environment = ProcessInfo.processInfo.environment
        environment["LOG_LEVEL"] = "error"
        process.environment = environment
        try process.run()
    }

    func waitUntilReady(_ endpoint: RelayEndpoint) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if (try? await RawConnect.probe(endpoint)) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MeshError(.unavailable, "the relay did not start on port \(port)")
    }

    /// The child's resident memory (VmRSS) in KiB.
    func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    func stop() {
        process.interrupt()
        process.waitUntilExit()
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw MeshError(.unavailable, "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A TCP connect to see whether the relay accepts connections yet.
enum RawConnect {
    static func probe(_ endpoint: RelayEndpoint) async throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(endpoint.host)
        address.sin_port = UInt16(endpoint.port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
