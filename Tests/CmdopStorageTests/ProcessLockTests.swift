import CmdopStorage
import Foundation
import Testing

@Suite("Process lock: one process per folder, never a stale lock")
struct ProcessLockTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/cmdop-lock-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Claims `path` once it is free, for up to five seconds. A released lock can stay held for a
    /// moment: a process another test forks at that instant shares the descriptor until its `exec`
    /// closes it (O_CLOEXEC), and on a loaded machine that can take a while.
    static func claimOnceFree(_ path: String) async throws -> ProcessLock {
        let deadline = ContinuousClock.now + .seconds(30)  // a hang catcher only
        while true {
            do { return try ProcessLock(path: path, holder: "jarvis") } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    @Test("a second claim is refused with the holder's pid and what to do; once released the folder is free")
    func secondClaimRefused() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try ProcessLock(path: folder + "/jarvis.lock", holder: "jarvis")
        let permissions = try FileManager.default.attributesOfItem(atPath: first.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let refusal = #expect(throws: StoreError.self) { try ProcessLock(path: folder + "/jarvis.lock", holder: "jarvis") }
        #expect(refusal?.message == "\(folder) is in use by another jarvis (pid \(getpid())): stop that one first, or give this one a folder of its own")
        first.release()
        first.release()  // a second release does nothing
        try await Self.claimOnceFree(folder + "/jarvis.lock").release()
    }

    @Test("a lock whose process died is free at once: the kernel drops it")
    func deadHolderFreesIt() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/jarvis.lock"
        // Another process takes the lock (util-linux flock) and is then killed, as a crash would.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--no-fork", path, "sleep", "60"]  // sleep itself holds the lock
        try holder.run()
        let deadline = ContinuousClock.now + .seconds(30)  // a hang catcher only
        while ContinuousClock.now < deadline {  // until flock holds it
            guard let probe = try? ProcessLock(path: path, holder: "jarvis") else { break }
            probe.release()
            try await Task.sleep(for: .milliseconds(20))
        }
        let refusal = #expect(throws: StoreError.self) { try ProcessLock(path: path, holder: "jarvis") }
        #expect(refusal?.message.contains("is in use by another jarvis") == true)
        kill(holder.processIdentifier, SIGKILL)
        // Polled: waitUntilExit would block one of the few threads every test's tasks share.
        while holder.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        try await Self.claimOnceFree(path).release()
    }
}
