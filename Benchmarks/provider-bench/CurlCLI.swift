import CmdopProviders
import Foundation

/// The curl command-line tool as the baseline.
enum CurlCLI {
    /// Downloads `url` to /dev/null; curl's own timing of the transfer.
    static func download(_ url: String) throws -> (bytes: Int, seconds: Double) {
        let text = try run(["-s", "-N", "--noproxy", "*", "-X", "POST", "-d", "{}", "-o", "/dev/null", "-w", "%{size_download} %{time_total}", url])
        let parts = text.split(separator: " ")
        guard parts.count == 2, let bytes = Int(parts[0]), let seconds = Double(parts[1]) else {
            throw BenchError("unexpected curl output '\(text)'")
        }
        return (bytes, seconds)
    }

    /// Seconds from spawning curl to the first SSE line carrying content.
    static func timeToFirstToken(_ url: String, body: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-N", "--noproxy", "*", "-H", "content-type: application/json", "-d", body, url]
        let output = Pipe()
        process.standardOutput = output
        let start = ContinuousClock.now
        try process.run()
        var buffer = ""
        var firstToken: Duration?
        while firstToken == nil {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            buffer += String(decoding: data, as: UTF8.self)
            if buffer.contains(#""content":""#) { firstToken = start.duration(to: .now) }
        }
        _ = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let firstToken else { throw BenchError("curl saw no token") }
        return firstToken.seconds
    }

    /// Seconds to spawn curl and have it do nothing over the network.
    static func spawnCost() -> Double {
        let start = ContinuousClock.now
        _ = try? run(["-s", "-o", "/dev/null", "file:///dev/null"])
        return start.duration(to: .now).seconds
    }

    private static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
