import ArgumentParser
import CmdopCurl
import CmdopProviders
import Foundation

/// How a CLI verb reaches jarvis's HTTP API: `--jarvis URL` and an API key of the fleet.
struct JarvisOptions: ParsableArguments {
    @Option(name: .long, help: "jarvis's HTTP API (env CMDOP_JARVIS; default http://127.0.0.1:7480).")
    var jarvis: String?

    @Option(name: .long, help: "A fleet API key (env CMDOP_API_KEY; default: the key `cmdop up` keeps in its data dir).")
    var apiKey: String?

    @Option(name: .long, help: "The data directory of a local `cmdop up` (default ~/.local/share/cmdop).")
    var dataDir: String?

    func client(_ transport: CurlHTTPTransport) throws -> JarvisClient {
        let environment = ProcessInfo.processInfo.environment
        let base = jarvis ?? environment["CMDOP_JARVIS"] ?? "http://127.0.0.1:7480"
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw ValidationError("--jarvis '\(base)' is not an http(s) URL (e.g. http://127.0.0.1:7480)")
        }
        var key = apiKey ?? environment["CMDOP_API_KEY"]
        if key?.isEmpty ?? true, let data = FileManager.default.contents(atPath: DataDirectory(override: dataDir).operatorKeyPath) {
            key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let key, !key.isEmpty else {
            throw ValidationError("no API key: pass --api-key, set CMDOP_API_KEY, or run `cmdop up` on this machine")
        }
        return JarvisClient(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, apiKey: key, transport: transport)
    }
}

/// A small client of jarvis's HTTP API over libcurl.
struct JarvisClient: Sendable {
    let baseURL: String
    let apiKey: String
    let transport: CurlHTTPTransport

    /// One call; a non-2xx answer is thrown with the API's error text.
    func call(_ method: String, _ path: String, json: JSONValue? = nil) async throws -> JSONValue {
        var headers = [(name: "Authorization", value: "Bearer \(apiKey)")]
        if json != nil { headers.append((name: "Content-Type", value: "application/json")) }
        let response: (status: Int, headers: [(name: String, value: String)], body: [UInt8])
        do {
            response = try await transport.fetch(HTTPRequest(
                method: method, url: baseURL + path, headers: headers, body: Array((json?.serialized() ?? "").utf8),
                timeouts: .init(connect: .seconds(5), idle: .seconds(30), total: .seconds(60))))
        } catch {
            throw CommandFailure("cannot reach jarvis at \(baseURL): \(error) (is `cmdop up` or `cmdop server` running?)")
        }
        let body = (try? JSONValue(parsingBytes: response.body)) ?? .null
        guard (200..<300).contains(response.status) else {
            throw CommandFailure("jarvis answered \(response.status): \(body["error"]?.stringValue ?? String(decoding: response.body, as: UTF8.self))")
        }
        return body
    }

    /// Follows a session's events after `after` (server-sent events) until `handle` returns false.
    func follow(session: String, after: Int64, _ handle: (Int64, String, JSONValue) throws -> Bool) async throws {
        let response = try await transport.send(HTTPRequest(
            method: "GET", url: baseURL + "/v1/sessions/\(session)/events?after=\(after)",
            headers: [(name: "Authorization", value: "Bearer \(apiKey)"), (name: "Accept", value: "text/event-stream")],
            timeouts: .init(connect: .seconds(5), idle: .seconds(120), total: .seconds(365 * 24 * 3600))))
        guard response.status == 200 else {
            let body = try await response.body.collect()
            throw CommandFailure("jarvis answered \(response.status): \(String(decoding: body, as: UTF8.self))")
        }
        var buffer = [UInt8]()
        for try await chunk in response.body {
            buffer += chunk
            while let end = Self.blockEnd(buffer) {
                let block = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(..<(end + 2))
                var id: Int64?, kind = "", data = ""
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { kind = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
                }
                guard let id else { continue }
                let event = (try? JSONValue(parsing: data)) ?? .null
                if try !handle(id, kind, event["data"] ?? .null) { return }
            }
        }
    }

    private static func blockEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1) where bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return index }
        return nil
    }
}
