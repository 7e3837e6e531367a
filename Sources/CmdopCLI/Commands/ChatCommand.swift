import ArgumentParser
import CmdopCurl
import CmdopProviders
import Foundation

/// `cmdop chat [MESSAGE] [--session ID]`: talk to jarvis. Tokens and tool activity stream as they
/// happen; Ctrl-C detaches without stopping the run; `--session ID` re-attaches and replays.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "Chat with jarvis about your fleet (re-attach to a session from anywhere).",
        discussion: """
            Without MESSAGE, reads messages from the terminal, one per line. With MESSAGE, sends it, prints \
            the run until it finishes, and exits (for scripts). Ctrl-C detaches: the run goes on, and \
            `cmdop chat --session ID` shows everything that happened, then follows it live.
            """)

    @OptionGroup var options: JarvisOptions

    @Option(help: "Re-attach to this session (its id is printed when a chat starts).")
    var session: String?

    @Argument(help: "A message to send (otherwise: read from the terminal).")
    var message: [String] = []

    func run() async throws {
        try await SignalScope.run {
            try await withCurlTransport { curl in
                let client = try options.client(curl)
                let sessionID = try await openSession(client)
                let printer = ChatPrinter()
                do {
                    try await converse(client, sessionID: sessionID, printer: printer)
                } catch where Task.isCancelled {
                    // Ctrl-C ended the stream mid-read: that is a detach, not a failure.
                }
                if Task.isCancelled {
                    Terminal.say("\ndetached; the run goes on. Re-attach: cmdop chat --session \(sessionID)")
                }
            }
        }
    }

    private func openSession(_ client: JarvisClient) async throws -> String {
        if let session { return session }
        let created = try await client.call("POST", "/v1/sessions", json: ["title": .string(message.joined(separator: " "))])
        guard let id = created["id"]?.stringValue else { throw CommandFailure("jarvis did not return a session id") }
        Terminal.warn("session \(id) (re-attach from anywhere: cmdop chat --session \(id))")
        return id
    }

    private func converse(_ client: JarvisClient, sessionID: String, printer: ChatPrinter) async throws {
        var seen: Int64 = 0
        if session != nil {
            // Replay what happened, then follow a run that is still going.
            let history = try await client.call("GET", "/v1/sessions/\(sessionID)/events?after=0&follow=false")
            var open = false
            for event in history["events"]?.arrayValue ?? [] {
                let kind = event["kind"]?.stringValue ?? ""
                printer.show(kind, event["data"] ?? .null)
                seen = Int64(event["seq"]?.doubleValue ?? Double(seen))
                if kind == "user_message" { open = true }
                if kind == "run_finished" { open = false }
            }
            if open { seen = try await followRun(client, sessionID: sessionID, after: seen, printer: printer) }
        }
        if !message.isEmpty {
            try await send(message.joined(separator: " "), client, sessionID: sessionID)
            _ = try await followRun(client, sessionID: sessionID, after: seen, printer: printer)
            return
        }
        while let line = await Self.readLine(prompt: "you> ") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            try await send(text, client, sessionID: sessionID)
            seen = try await followRun(client, sessionID: sessionID, after: seen, printer: printer)
        }
    }

    private func send(_ text: String, _ client: JarvisClient, sessionID: String) async throws {
        _ = try await client.call("POST", "/v1/sessions/\(sessionID)/messages", json: ["text": .string(text)])
    }

    /// Prints events after `after` until the next run_finished; returns the last sequence number seen.
    /// A stream that ends early (jarvis restarting) is followed again from where it stopped.
    private func followRun(_ client: JarvisClient, sessionID: String, after: Int64, printer: ChatPrinter) async throws -> Int64 {
        var last = after
        var finished = false
        for attempt in 0..<30 {
            if attempt > 0 {
                if attempt == 1 { Terminal.warn("\n[the event stream dropped; re-attaching…]") }
                try await Task.sleep(for: .seconds(2))
            }
            do {
                try await client.follow(session: sessionID, after: last) { seq, kind, data in
                    last = seq
                    if kind == "user_message" && !printer.echoUser { return true }
                    printer.show(kind, data)
                    finished = kind == "run_finished"
                    return !finished
                }
            } catch where !Task.isCancelled {
                continue
            }
            if finished || Task.isCancelled { return last }
        }
        throw CommandFailure("jarvis stopped answering; re-attach later with: cmdop chat --session \(sessionID)")
    }

    /// A line from the terminal, read off the cooperative pool so Ctrl-C still cancels.
    private static func readLine(prompt: String) async -> String? {
        FileHandle.standardOutput.write(Data(prompt.utf8))
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Swift.readLine()) }
        }
    }
}

/// Renders session events for a terminal.
final class ChatPrinter: @unchecked Sendable {
    /// Whether live user messages are printed (false: the user at this terminal just typed them).
    var echoUser = false

    func show(_ kind: String, _ data: JSONValue) {
        switch kind {
        case "user_message": Terminal.say("you> \(data["text"]?.stringValue ?? "")")
        case "token": FileHandle.standardOutput.write(Data((data["text"]?.stringValue ?? "").utf8))
        case "tool_started":
            Terminal.say("\n  → \(data["name"]?.stringValue ?? "") \(data["arguments"]?.stringValue ?? "")")
        case "tool_progress": FileHandle.standardOutput.write(Data((data["text"]?.stringValue ?? "").utf8))
        case "tool_finished":
            let failed = data["is_error"]?.boolValue == true
            let content = (data["content"]?.stringValue ?? "").prefix(300)
            Terminal.say("  ← \(data["name"]?.stringValue ?? "")\(failed ? " failed" : ""): \(content)")
        case "approval_requested":
            let id = data["approval_id"]?.stringValue ?? ""
            Terminal.say("  ⏸ waiting for an on-call approval of \(data["tool"]?.stringValue ?? "") on \(data["targets"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? "") — cmdop approvals approve \(id)")
        case "approval_decided":
            Terminal.say("  ▶ approval \(data["status"]?.stringValue ?? "") by \(data["decided_by"]?.stringValue ?? "nobody")")
        case "run_finished":
            let stop = data["stop"]?.stringValue ?? ""
            Terminal.say(stop == "answered" ? "" : "\n[run stopped: \(stop)]")
        default: break
        }
    }
}
