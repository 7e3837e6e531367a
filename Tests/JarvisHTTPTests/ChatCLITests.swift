import CmdopCurl
import CmdopProviders
import CmdopProvidersTesting
import CmdopTesting
import Foundation
import Testing

/// The real `cmdop` binary against a real jarvis: `cmdop chat`, Ctrl-C to detach, `--session` to
/// re-attach, and `cmdop approvals`.
@Suite("cmdop chat and cmdop approvals, the real binary", .timeLimit(.minutes(1)))
struct ChatCLITests {
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["CMDOP_BIN"] { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/cmdop").path
    }()

    /// A running `cmdop` process with its output collected.
    final class CLI: @unchecked Sendable {
        let process = Process()
        private let output = Pipe()
        private let lock = NSLock()
        private var text = ""
        private var ended = false

        /// Starts `cmdop ARGUMENTS`; with `umask`, from a shell that sets it first (as a login would).
        init(_ arguments: [String], umask: String? = nil) throws {
            guard FileManager.default.isExecutableFile(atPath: ChatCLITests.binary) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "\(ChatCLITests.binary) is missing: run `swift build --product cmdop` (make test does)"])
            }
            if let umask {
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", "umask \(umask) && exec \"$0\" \"$@\"", ChatCLITests.binary] + arguments
            } else {
                process.executableURL = URL(fileURLWithPath: ChatCLITests.binary)
                process.arguments = arguments
            }
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            // A thread of its own reads until the end of the pipe: a readability handler can miss the
            // end when it arrives together with the last output (libdispatch's epoll is edge-triggered).
            let reader = output.fileHandleForReading
            Thread.detachNewThread { [weak self] in
                while true {
                    let data = reader.availableData
                    guard let self else { return }
                    if data.isEmpty { break }
                    self.lock.withLock { self.text += String(decoding: data, as: UTF8.self) }
                }
                self?.lock.withLock { self?.ended = true }
            }
            try process.run()
        }

        var printed: String { lock.withLock { text } }

        /// Waits for the exit and for everything it printed (the pipe's end), however long a busy
        /// machine takes; returns the exit status.
        func finish() async -> Int32 {
            while process.isRunning || !lock.withLock({ ended }) {
                // A cancelled test (its time limit) stops waiting instead of spinning.
                guard (try? await Task.sleep(for: .milliseconds(20))) != nil else { break }
            }
            return process.isRunning ? -1 : process.terminationStatus
        }
    }

    @Test("chat streams the run; Ctrl-C detaches while it waits for approval; --session replays and follows to the end")
    func chatDetachAndReattach() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let onCall = try mesh.store.createAPIKey(fleetID: fleet.id, scopes: [.approvalsDecide], label: "on-call").key
                    try await mesh.startAgent("web-1", fleet: fleet)
                    server.enqueue(ScriptedModel.toolCalls([("c1", "run_command", #"{"hostname":"web-1","command":"echo approved-$((40+2))"}"#)]), for: ScriptedModel.path)
                    server.enqueue(ScriptedModel.answer("It printed approved-42."), for: ScriptedModel.path)
                    let policy = "mode: strict\nask: [\"run_command(web-*:echo *)\"]\n"
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: policy, server: server, curl: curl) { jarvis in
                        let common = ["--jarvis", jarvis.baseURL, "--api-key", fleet.operatorKey]
                        let chat = try CLI(["chat"] + common + ["echo it on web-1"])
                        try await mesh.waitUntil("the chat shows the pending approval") { chat.printed.contains("waiting for an on-call approval") }
                        #expect(chat.printed.contains("→ run_command"))
                        let sessionID = try #require(chat.printed.components(separatedBy: "cmdop chat --session ").dropFirst().first?
                            .prefix { !$0.isWhitespace && $0 != ")" }).description
                        chat.process.interrupt()  // Ctrl-C
                        #expect(await chat.finish() == 0)
                        #expect(chat.printed.contains("detached; the run goes on"))
                        // The on-call engineer approves from the CLI.
                        let list = try CLI(["approvals", "list", "--jarvis", jarvis.baseURL, "--api-key", onCall])
                        #expect(await list.finish() == 0)
                        let approvalID = try #require(list.printed.split(separator: " ").first).description
                        #expect(list.printed.contains("run_command on web-1"))
                        // The requester cannot approve its own call: the server's refusal, exit 1, no usage banner.
                        let own = try CLI(["approvals", "approve", approvalID, "--jarvis", jarvis.baseURL, "--api-key", fleet.operatorKey])
                        #expect(await own.finish() == 1, "\(own.printed)")
                        #expect(own.printed.contains("409") && !own.printed.contains("Usage:"), "\(own.printed)")
                        let approve = try CLI(["approvals", "approve", approvalID, "--reason", "fine", "--jarvis", jarvis.baseURL, "--api-key", onCall])
                        #expect(await approve.finish() == 0, "\(approve.printed)")
                        // Re-attach from "another device": the whole story, then the end of the run.
                        let again = try CLI(["chat", "--session", sessionID] + common)
                        try await mesh.waitUntil("the re-attached chat shows the answer") { again.printed.contains("It printed approved-42.") }
                        again.process.interrupt()
                        _ = await again.finish()
                        let replay = again.printed
                        let order = ["you> echo it on web-1", "→ run_command", "waiting for an on-call approval", "approval approved by operator:",
                                     "← run_command", "It printed approved-42."]
                        let positions = order.map { replay.range(of: $0)?.lowerBound }
                        #expect(positions.allSatisfy { $0 != nil }, "\(replay)")
                        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
                        #expect(replay.components(separatedBy: "It printed approved-42.").count == 2)  // exactly once
                    }
                }
            }
        }
    }

    @Test("approvals with a key lacking approvals:decide fail with the API's reason")
    func approvalsNeedScope() async throws {
        try await withCurlTransport { curl in
            try await withFakeLLMServer { server in
                try await TestMesh.with { mesh in
                    let fleet = try mesh.fleet("ops")
                    let readOnly = try mesh.store.createAPIKey(fleetID: fleet.id, scopes: [.machinesRead], label: "ro").key
                    try await JarvisHarness.with(mesh: mesh, fleet: fleet, policy: "mode: strict\n", server: server, curl: curl) { jarvis in
                        let list = try CLI(["approvals", "list", "--jarvis", jarvis.baseURL, "--api-key", readOnly])
                        #expect(await list.finish() == 1)
                        #expect(list.printed.contains("403") && list.printed.contains("approvals:decide"))
                        #expect(!list.printed.contains("Usage:"), "\(list.printed)")
                    }
                }
            }
        }
    }
}
